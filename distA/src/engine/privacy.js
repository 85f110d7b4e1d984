/**
 * Personal data shown to others is masked: names keep their first character, phones
 * their first three and last four digits.
 */
/** 李网格 → 李**; Alice → A****. */
export function maskName(name) {
    const chars = [...name.trim()];
    if (chars.length <= 1)
        return `${chars[0] ?? ''}*`;
    if (/^\p{Script=Han}+$/u.test(name))
        return `${chars[0]}${'*'.repeat(chars.length - 1)}`;
    return `${chars[0]}${'*'.repeat(Math.min(chars.length - 1, 4))}`;
}
/** 13912345678 → 139****5678. */
export function maskPhone(phone) {
    const digits = phone.replace(/\D/g, '');
    return digits.length >= 7 ? `${digits.slice(0, 3)}****${digits.slice(-4)}` : '****';
}
/**
 * Free text with every phone-like run of 7 or more digits masked (phones, ID numbers):
 * "电话 139 1234 5678" → "电话 139****5678". For texts residents wrote, shown to others.
 * A run that follows a letter, digit or dash is part of something else (a ticket number
 * such as MQ-2026-000123) and stays.
 */
export function maskPhonesIn(text) {
    return text.replace(/(?<![\w-])\d[\d -]{5,}\d/g, (run) => {
        const digits = run.replace(/\D/g, '');
        if (digits.length < 7)
            return run;
        // +86 139 1234 5678: the country code is not part of the number.
        return maskPhone(digits.length === 13 && digits.startsWith('86') ? digits.slice(2) : digits);
    });
}
/**
 * A resident as others read them: masked (罗**), or 匿名群众 for a chat's anonymous first
 * contact (no household; its name is a placeholder or a platform's display name).
 */
export function residentName(person) {
    if (person.householdId !== null || !person.code.startsWith('U-'))
        return maskName(person.name);
    return person.name === '群众' || !person.name.trim() ? '匿名群众 anonymous' : `匿名群众 anonymous（${maskName(person.name)}）`;
}

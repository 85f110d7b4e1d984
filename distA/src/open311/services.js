import { loadKeywordTable } from '../engine/classifier-keywords.js';
import { DEFAULT_KEYWORDS_PATH } from '../engine/classifier.js';
import { REQUEST_KINDS } from '../pipeline/states.js';
/** Keywords per service, at most this many. */
const KEYWORDS_PER_SERVICE = 8;
let keywordTable;
/** The category matcher's keywords of `code` in `locale`, heaviest first. */
function keywordsOf(code, locale) {
    keywordTable ??= loadKeywordTable(DEFAULT_KEYWORDS_PATH);
    const wanted = locale === 'en' ? 'latin' : 'han';
    return keywordTable
        .filter((k) => k.category === code && (k.form === wanted || (wanted === 'han' && k.form === 'han-token')))
        .sort((a, b) => b.weight - a.weight || a.line - b.line)
        .slice(0, KEYWORDS_PER_SERVICE)
        .map((k) => k.keyword)
        .join(', ');
}
/**
 * The language of the answer: the `locale` parameter (zh, en, zh-CN, en-US…), else the
 * first language of Accept-Language that Minqing speaks, else Chinese.
 */
export function localeOf(param, acceptLanguage) {
    const spoken = (tag) => {
        const primary = tag.trim().split(/[-_;]/)[0]?.toLowerCase();
        return primary === 'zh' || primary === 'en' ? primary : undefined;
    };
    if (param)
        return spoken(param) ?? 'zh';
    const ranked = (acceptLanguage ?? '')
        .split(',')
        .map((part, index) => {
        const q = /;\s*q=([\d.]+)/.exec(part)?.[1];
        return { tag: part, q: q === undefined ? 1 : Number(q), index };
    })
        .filter((l) => l.q > 0)
        .sort((a, b) => b.q - a.q || a.index - b.index);
    for (const { tag } of ranked) {
        const locale = spoken(tag);
        if (locale)
            return locale;
    }
    return 'zh';
}
/** The service's name in `locale` (English only where the category has an English name). */
export function serviceName(row, locale) {
    return locale === 'en' && row.nameEn.trim() ? row.nameEn : row.nameZh;
}
/** What is promised for a service: the deadline to resolve it. */
function promise(row, locale) {
    const unit = row.workingDays ? { zh: '个工作日', en: 'working days' } : { zh: '天', en: 'days' };
    if (row.handlingClass === 'urgent')
        return locale === 'en' ? `Urgent: resolved within ${row.resolveHours} hours.` : `紧急事项：${row.resolveHours} 小时内办结。`;
    if (row.handlingClass === 'immediate')
        return locale === 'en' ? `Handled at once: accepted within ${row.acceptHours} hours.` : `即办事项：${row.acceptHours} 小时内签收办理。`;
    return locale === 'en' ? `Resolved within ${row.resolveDays} ${unit.en}.` : `承诺 ${row.resolveDays} ${unit.zh}内办结。`;
}
/** The categories, by code. */
export async function serviceRows(db) {
    return db.category.findMany({
        orderBy: { code: 'asc' },
        select: { code: true, nameZh: true, nameEn: true, departmentKind: true, handlingClass: true, resolveDays: true, resolveHours: true, acceptHours: true, workingDays: true },
    });
}
/** GET services: every category as the specification lists a service. */
export function servicesList(rows, locale) {
    return rows.map((row) => ({
        service_code: row.code,
        service_name: serviceName(row, locale),
        description: promise(row, locale),
        // Every service has the attributes below.
        metadata: true,
        type: 'realtime',
        keywords: keywordsOf(row.code, locale),
        group: row.departmentKind,
    }));
}
/** Every village, with its township's name, by code (for the list attribute and for matching addresses). */
export async function villageChoices(db) {
    const villages = await db.region.findMany({
        where: { level: 'village' },
        orderBy: { code: 'asc' },
        select: { id: true, code: true, name: true, parent: { select: { name: true } } },
    });
    return villages.map((v) => ({ id: v.id, code: v.code, name: v.name, township: v.parent?.name ?? '' }));
}
const KIND_NAMES = {
    help: { zh: '求助', en: 'Help' },
    complaint: { zh: '投诉', en: 'Complaint' },
    inquiry: { zh: '咨询', en: 'Inquiry' },
    suggestion: { zh: '建议', en: 'Suggestion' },
    dispute: { zh: '纠纷', en: 'Dispute' },
};
/** GET services/{code}: the service definition with its attributes. */
export function serviceDefinition(row, villages, locale) {
    const en = locale === 'en';
    return {
        service_code: row.code,
        attributes: [
            {
                variable: true,
                code: 'village',
                datatype: 'singlevaluelist',
                // A request may be placed by its address or coordinates instead.
                required: false,
                datatype_description: en ? 'The village where the matter is; or give an address or coordinates.' : '诉求所在的村；也可以给出地址或坐标。',
                order: 1,
                description: en ? 'Village' : '所在村',
                values: villages.map((v) => ({ key: v.code, name: `${v.township} ${v.name}` })),
            },
            {
                variable: true,
                code: 'landmark',
                datatype: 'string',
                required: false,
                datatype_description: null,
                order: 2,
                description: en ? 'A landmark near the place (e.g. the bridge at the village entrance)' : '附近的标志物（如村口桥头）',
            },
            {
                variable: true,
                code: 'kind',
                datatype: 'singlevaluelist',
                required: false,
                datatype_description: en ? 'Help if not given.' : '不填则为求助。',
                order: 3,
                description: en ? 'Kind of request' : '诉求类型',
                values: REQUEST_KINDS.map((k) => ({ key: k, name: en ? KIND_NAMES[k].en : KIND_NAMES[k].zh })),
            },
        ],
    };
}

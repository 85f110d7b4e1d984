import { addCalendarDays, localDateOf } from '../pipeline/calendar.js';
export const MEDIATION_STATES = ['mediating', 'agreement', 'settled', 'referred', 'closed'];
export function mediationRulesOf(config) {
    return { limitDays: config.MEDIATION_LIMIT_DAYS, extensionDays: config.MEDIATION_EXTENSION_DAYS, followUpDays: config.MEDIATION_FOLLOW_UP_DAYS };
}
/** A command refused, with the reason in Chinese first. */
export class MediationRefused extends Error {
    name = 'MediationRefused';
}
const OPEN = ['mediating', 'agreement'];
/** The limit's last day for a case opened at `openedAt`. */
export function firstDueOn(openedAt, rules) {
    return addCalendarDays(localDateOf(openedAt), rules.limitDays);
}
/** Whether an open case is past its limit on `now`. */
export function isOverdue(c, now) {
    return OPEN.includes(c.status) && localDateOf(now) > c.dueOn;
}
/** The change `command` makes to `snapshot` at `now`; throws {@link MediationRefused} when it may not. */
export function mediationTransition(snapshot, command, now) {
    const refuse = (why) => {
        throw new MediationRefused(why);
    };
    const { status } = snapshot;
    const open = OPEN.includes(status);
    switch (command.type) {
        case 'session':
            if (!open)
                refuse('调解已结束，不能再记录调解会。 Mediation has ended: no more sessions.');
            return {};
        case 'agree': {
            if (!open)
                refuse('调解已结束，不能再达成协议。 Mediation has ended.');
            const text = command.text.trim();
            if (!text)
                refuse('请填写协议内容。 Write the agreement.');
            if (snapshot.parties.length < 2)
                refuse('至少需要两方当事人。 A dispute has at least two parties.');
            return { status: 'agreement', agreement: text, agreedAt: now, clearAnswers: true, askParties: true };
        }
        case 'answer': {
            if (status !== 'agreement')
                refuse('没有待确认的协议。 There is no agreement to confirm.');
            const party = snapshot.parties.find((p) => p.id === command.partyId) ?? refuse('不是这起纠纷的当事人。 Not a party to this dispute.');
            if (party.answer !== null)
                refuse('您已经答复过了。 You have answered already.');
            // 有异议: back to mediating; the agreement is reworked and asked again.
            if (!command.confirmed)
                return { status: 'mediating' };
            const allConfirmed = snapshot.parties.every((p) => p.id === command.partyId || p.answer === 'confirmed');
            return allConfirmed ? { status: 'settled', settledAt: now } : {};
        }
        case 'extend':
            if (!open)
                refuse('调解已结束，不能延期。 Mediation has ended: nothing to extend.');
            return { dueOn: addCalendarDays(snapshot.dueOn, command.days), extended: true };
        case 'follow_up':
            if (status !== 'settled')
                refuse('只有已调解成功的纠纷才回访履行情况。 Only a settled dispute is followed up.');
            if (snapshot.keptFirst === null)
                return { keptFirst: command.kept };
            if (snapshot.keptSecond !== null)
                refuse('两次回访都已记录。 Both follow-ups are recorded.');
            // Kept at the second follow-up: done. Not kept: it stays settled until staff refer it to the court.
            return command.kept ? { keptSecond: true, status: 'closed', closedAt: now } : { keptSecond: false };
        case 'refer': {
            if (!open && status !== 'settled')
                refuse('这起纠纷不能移送法院。 This dispute cannot be referred.');
            if (status === 'settled' && snapshot.keptFirst !== false && snapshot.keptSecond !== false)
                refuse('协议正在履行，不需移送。 The agreement is being kept: nothing to refer.');
            const court = command.court.trim();
            const reason = command.reason.trim();
            if (!court || !reason)
                refuse('请填写法院和调解未成的原因。 Name the court and why mediation failed.');
            return { status: 'referred', referredAt: now, court, referralReason: reason };
        }
        case 'court_outcome': {
            if (status !== 'referred')
                refuse('只有已移送法院的纠纷才记录判决结果。 Only a referred dispute has a court outcome.');
            const text = command.text.trim();
            if (!text)
                refuse('请填写法院的处理结果。 Write the court’s outcome.');
            return { status: 'closed', courtOutcome: text, closedAt: now };
        }
    }
}

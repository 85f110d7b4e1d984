import { OPEN_ASSISTANCE_STATES } from '../assistance/machine.js';
import { localDateOf } from '../pipeline/calendar.js';
import { maskName } from '../privacy.js';
import { ASSISTANCE_STATE_NAMES } from '../web/console/assistance-page.js';
import { bi, html } from '../web/html.js';
/** The state each step of the trail leaves a case in (an objection leaves it as it was). */
const STATE_AFTER = {
    report: 'reported',
    village_approve: 'village_verified',
    village_reject: 'rejected',
    township_approve: 'notice',
    township_reject: 'rejected',
    deliver: 'delivered',
    follow_up: 'closed',
    objection: null,
};
/** The cases of `regionIds` for the month [from, to), as of `now` for the month under way. */
export async function casesOfMonth(db, regionIds, range) {
    const { from, to, now } = range;
    const end = now < to ? now : to;
    const within = (at) => at !== null && at >= from && at < to;
    const [assistance, mediation] = await Promise.all([
        db.assistanceCase.findMany({
            where: { regionId: { in: regionIds }, reportedAt: { lt: end } },
            select: { id: true, householdId: true, state: true, dueAt: true, helper: true, aid: true, amount: true },
        }),
        db.mediationCase.findMany({
            where: { regionId: { in: regionIds }, openedAt: { lt: end } },
            select: { openedAt: true, settledAt: true, referredAt: true, keptFirst: true, keptSecond: true },
        }),
    ]);
    const events = await db.assistanceEvent.findMany({ where: { caseId: { in: assistance.map((c) => c.id) }, at: { lt: end } }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    const stateAtEnd = new Map();
    const deliveredAt = new Map();
    for (const e of events) {
        const state = STATE_AFTER[e.action];
        if (state)
            stateAtEnd.set(e.caseId, state);
        if (e.action === 'deliver' && within(e.at))
            deliveredAt.set(e.caseId, e.at);
    }
    const byState = Object.fromEntries(Object.keys(ASSISTANCE_STATE_NAMES).map((s) => [s, 0]));
    let overdue = 0;
    for (const c of assistance) {
        const state = stateAtEnd.get(c.id);
        if (!state)
            continue;
        byState[state] += 1;
        if (OPEN_ASSISTANCE_STATES.includes(state) && state === c.state && c.dueAt !== null && c.dueAt < end)
            overdue += 1;
    }
    const deliveredCases = assistance.filter((c) => deliveredAt.has(c.id));
    const heads = new Map((await db.household.findMany({ where: { id: { in: deliveredCases.map((c) => c.householdId) } }, select: { id: true, headName: true } })).map((h) => [h.id, h.headName]));
    const delivered = deliveredCases
        .map((c) => ({
        household: maskName(heads.get(c.householdId) ?? ''),
        helper: c.helper ?? '',
        aid: c.aid ?? '',
        amount: c.amount ?? '',
        day: localDateOf(deliveredAt.get(c.id)),
    }))
        .sort((a, b) => a.day.localeCompare(b.day));
    const settledInMonth = mediation.filter((m) => within(m.settledAt));
    const settledByEnd = mediation.filter((m) => m.settledAt !== null && m.settledAt < end);
    const days = settledInMonth.map((m) => (m.settledAt.getTime() - m.openedAt.getTime()) / 86_400_000);
    return {
        assistance: { byState, delivered, overdue },
        mediation: {
            received: mediation.filter((m) => within(m.openedAt)).length,
            settled: settledInMonth.length,
            referred: mediation.filter((m) => within(m.referredAt)).length,
            kept: settledByEnd.filter((m) => m.keptFirst === true && m.keptSecond !== false).length,
            notKept: settledByEnd.filter((m) => m.keptFirst === false || m.keptSecond === false).length,
            averageDays: days.length ? Math.round((days.reduce((a, b) => a + b, 0) / days.length) * 10) / 10 : null,
        },
    };
}
/** The two sections, for the report's HTML. */
export function casesSection(cases) {
    const a = cases.assistance;
    const m = cases.mediation;
    const states = Object.keys(ASSISTANCE_STATE_NAMES);
    return html `<h2>${bi('困难群众帮扶', 'Hardship assistance')}</h2>
<table class="assistance-steps"><thead><tr>${states.map((s) => html `<th class="num">${bi(ASSISTANCE_STATE_NAMES[s].zh, ASSISTANCE_STATE_NAMES[s].en)}</th>`)}<th class="num">${bi('逾期', 'overdue')}</th></tr></thead>
<tbody><tr>${states.map((s) => html `<td class="num">${a.byState[s]}</td>`)}<td class="num${a.overdue ? ' late' : ''}">${a.overdue}</td></tr></tbody></table>
${a.delivered.length
        ? html `<h3>${bi('本月实施（五公开）', 'Delivered this month')}</h3><table><thead><tr><th>${bi('帮扶对象', 'Household')}</th><th>${bi('帮扶单位', 'Helper')}</th><th>${bi('帮扶内容', 'What')}</th><th>${bi('金额或数量', 'How much')}</th><th>${bi('实施日期', 'Delivered')}</th></tr></thead><tbody>${a.delivered.map((d) => html `<tr class="assistance-delivered"><td>${d.household}</td><td>${d.helper}</td><td>${d.aid}</td><td>${d.amount}</td><td>${d.day}</td></tr>`)}</tbody></table>`
        : html `<p class="empty">${bi('本月没有实施的帮扶', 'nothing delivered this month')}</p>`}
<h2>${bi('矛盾纠纷调解', 'Dispute mediation')}</h2>
<p class="mediation-counts">${`本月受理 ${m.received} 件 · 调解成功 ${m.settled} 件 · 移送法院 ${m.referred} 件 · 回访履行 ${m.kept} 件、未履行 ${m.notKept} 件 · 平均调解 ${m.averageDays ?? '—'} 天`} <span class="en">${`received ${m.received} · settled ${m.settled} · referred to the court ${m.referred} · kept ${m.kept}, not kept ${m.notKept} · average ${m.averageDays ?? '—'} days to settle`}</span></p>`;
}

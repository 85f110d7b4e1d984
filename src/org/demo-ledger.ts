/**
 * The demo county's ledger 台账, after the demo history: a public commitment 公开承诺 per
 * township (its latest requests of the commitment's kind linked, the demo theme too where
 * it is the township's), one 挂牌督办 item flagged by the county supervisor, one done and
 * one late — entered through the same functions as the console, so that /console/ledger,
 * the public board and the monthly report show real cases on first start. Deterministic:
 * a function of the history and `now`.
 */
import type { Database } from '../db/client.js';
import { addCalendarDays, localDateOf, localInstant } from '../pipeline/calendar.js';
import { addLedgerProgress, closeLedgerItem, createLedgerItem, flagLedgerItem, linkLedgerTicket } from '../ledger/ledger.js';
import { loadRegions, subtreeIds } from './regions.js';

/** What a township commits to in public: goal, measures, and the kind of department that owns it. */
const COMMITMENTS: { kind: string; goal: string; measures: string; progress: string }[] = [
  { kind: 'power', goal: '年底前修复全镇损坏路灯', measures: '供电所逐村排查路灯，损坏灯具一周内更换，修复情况在公示栏公布', progress: '已排查全部村，更换灯具 23 盏' },
  { kind: 'water', goal: '解决高处村组冬季饮水困难', measures: '水务站检修加压泵站，冰冻期间安排送水，管网保温改造', progress: '两处泵站已检修，送水点已确定' },
  { kind: 'transport', goal: '通村道路坑洼路段全部修补', measures: '交通管理站建立坑洼路段清单，逐段修补并回访反映群众', progress: '清单已建立，已修补 6 处' },
  { kind: 'sanitation', goal: '垃圾清运做到日产日清', measures: '环卫所调整清运线路，增设临时收集点，每周抽查', progress: '清运线路已调整' },
];

/** Seeds the items; returns how many, 0 when there are some already or no township. */
export async function seedDemoLedger(database: Database, now: Date): Promise<number> {
  const db = database.db;
  if ((await db.ledgerItem.count()) > 0) return 0;
  const regions = await loadRegions(db);
  const townships = [...regions.values()].filter((r) => r.level === 'township').sort((a, b) => a.code.localeCompare(b.code));
  const supervisor = await db.personRole.findFirst({ where: { role: 'supervisor' }, orderBy: { personId: 'asc' } });
  const today = localDateOf(now);
  const day = (offset: number) => addCalendarDays(today, offset);
  // Entered some weeks ago, at the township's analysis meeting.
  const enteredAt = new Date(Math.min(localInstant(day(-40), 10 * 60).getTime(), now.getTime()));
  const reviewedAt = new Date(Math.min(localInstant(day(-10), 15 * 60).getTime(), now.getTime()));
  const themes = await db.theme.findMany({ select: { id: true, regionId: true }, orderBy: { id: 'asc' } });
  let seeded = 0;
  for (const [index, township] of townships.entries()) {
    const dispatcher = await db.personRole.findFirst({ where: { role: 'dispatcher', regionId: township.id }, orderBy: { personId: 'asc' } });
    if (!dispatcher) continue;
    const actor = dispatcher.personId;
    const commitment = COMMITMENTS[index % COMMITMENTS.length]!;
    const owner = await db.department.findFirst({ where: { regionId: township.id, kind: commitment.kind } });
    const office = await db.department.findFirst({ where: { regionId: township.id, kind: 'office' } });
    if (!owner || !office) continue;
    const theme = themes.find((t) => t.regionId === township.id);
    const base = { regionId: township.id, owner: `department:${owner.id}`, themeId: null };
    const publicId = await createLedgerItem(
      db,
      regions,
      { ...base, goal: commitment.goal, measures: commitment.measures, deadline: day(30), isPublic: true, themeId: theme?.id ?? null },
      actor,
      enteredAt,
    );
    await addLedgerProgress(db, publicId, commitment.progress, actor, reviewedAt);
    const tickets = await db.ticket.findMany({
      where: { regionId: { in: subtreeIds(regions, township.id) }, assigneeDepartmentId: owner.id, mergedIntoId: null },
      select: { id: true, number: true, regionId: true, createdAt: true },
      orderBy: { id: 'desc' },
      take: 3,
    });
    // The latest requests came in after the item was entered: each is linked the working day after it came, never
    // before it existed (a history row dated before the request's 受理), and not after now.
    for (const ticket of tickets.reverse()) {
      const linkedAt = new Date(Math.min(Math.max(enteredAt.getTime(), localInstant(addCalendarDays(localDateOf(ticket.createdAt), 1), 9 * 60).getTime()), now.getTime()));
      await linkLedgerTicket(db, regions, publicId, ticket, actor, linkedAt);
    }
    seeded++;
    if (index > 0) continue;
    // The first township's other items: one supervised, one done, one late.
    const supervisedId = await createLedgerItem(
      db,
      regions,
      { ...base, goal: '村级活动场所漏雨整改', measures: '党政办牵头，逐村排查屋面漏雨，雨季前完成维修', deadline: day(10), isPublic: false },
      actor,
      enteredAt,
    );
    if (supervisor) await flagLedgerItem(db, supervisedId, '群众多次反映，请按期完成并每周报告进展', supervisor.personId, reviewedAt);
    // Delivered when written, as the history's pushes are (demo-history.ts): a past push waits for no chat.
    await db.outboxMessage.updateMany({ where: { template: 'ledger.flagged', sentAt: null, failedAt: null }, data: { sentAt: reviewedAt } });
    const doneId = await createLedgerItem(
      db,
      regions,
      { ...base, owner: `department:${office.id}`, goal: '便民服务大厅延长午间服务', measures: '午间安排轮值窗口，公示服务时间', deadline: day(-15), isPublic: true },
      actor,
      enteredAt,
    );
    await closeLedgerItem(db, doneId, 'done', '午间轮值窗口已开设，服务时间已在公示栏公布', actor, localInstant(day(-18), 16 * 60));
    await createLedgerItem(
      db,
      regions,
      { ...base, goal: '集镇农贸市场排水沟清淤', measures: '环卫、住建联合清淤，加装盖板', deadline: day(-5), isPublic: false },
      actor,
      enteredAt,
    );
    seeded += 3;
  }
  return seeded;
}

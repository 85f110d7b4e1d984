/**
 * The demo county's 每月一题: after the demo history, the first township adopts the
 * current month's theme from the statistics' first category proposal of the month before
 * (the month its analysis meeting on the 25th looked at), through the same functions as
 * the console — owner departments, three tasks, the township's requests of that category
 * linked — so that the console, the public board and the monthly report show one on first
 * start. Deterministic: a function of the history and `now`.
 */
import type { Database } from '../db/client.js';
import { localDateOf, localInstant, monthBounds } from '../pipeline/calendar.js';
import { shiftMonth, themeProposals } from '../themes/proposals.js';
import { addThemeTask, adoptTheme, completeThemeTask, linkThemeTicket } from '../themes/themes.js';
import { loadRegions, subtreeIds } from './regions.js';

/** Requests linked to the demo theme at most (the newest ones). */
const LINKED = 8;

/** Adopts the demo theme; returns its id, or null when there is a theme already or nothing to propose. */
export async function seedDemoTheme(database: Database, now: Date): Promise<number | null> {
  const db = database.db;
  if ((await db.theme.count()) > 0) return null;
  const regions = await loadRegions(db);
  const township = [...regions.values()].filter((r) => r.level === 'township').sort((a, b) => a.code.localeCompare(b.code))[0];
  if (!township) return null;
  const month = localDateOf(now).slice(0, 7);
  const proposal = (await themeProposals(db, regions, township.id, shiftMonth(month, -1))).find((p) => p.kind === 'category');
  const code = proposal?.key.slice('category:'.length);
  const category = code ? await db.category.findUnique({ where: { code } }) : null;
  const dispatcher = await db.personRole.findFirst({ where: { role: 'dispatcher', regionId: township.id }, orderBy: { personId: 'asc' } });
  if (!proposal || !category || !dispatcher) return null;
  const departments = await db.department.findMany({ where: { regionId: township.id, kind: { in: [category.departmentKind, 'office'] } }, orderBy: { code: 'asc' } });
  const owner = departments.find((d) => d.kind === category.departmentKind) ?? departments[0];
  if (!owner) return null;
  const actor = dispatcher.personId;
  // Adopted on the month's first morning (or now, on the first's night).
  const adoptedAt = new Date(Math.min(localInstant(`${month}-01`, 9 * 60).getTime(), now.getTime()));
  const before = proposal.villagesBefore.toFixed(1).replace(/\.0$/, '');
  const themeId = await adoptTheme(
    db,
    regions,
    {
      regionId: township.id,
      month,
      title: `${proposal.label}问题集中整治`,
      problems: [
        `上月 ${proposal.villages} 个村反映${proposal.label}问题 ${proposal.tickets} 件，此前月均 ${before} 个村`,
        `已反映的${proposal.label}诉求逐件办结、逐户回访`,
        `${proposal.label}隐患全镇排查，建立台账`,
      ],
      departmentIds: departments.map((d) => d.id),
      source: proposal.key,
    },
    actor,
    adoptedAt,
  );
  const tasks: [string, number][] = [
    [`排查各村${proposal.label}问题，建立台账`, 5],
    ['已反映的诉求逐件办理并回访', 20],
    ['整改结果在公示栏公示', 28],
  ];
  const taskIds: number[] = [];
  for (const [text, day] of tasks) {
    taskIds.push(await addThemeTask(db, themeId, { text, departmentId: owner.id, deadline: `${month}-${String(day).padStart(2, '0')}` }, actor, adoptedAt));
  }
  // The survey is done on its last day, once that day has come.
  const surveyDone = localInstant(`${month}-05`, 16 * 60);
  if (taskIds[0] !== undefined && surveyDone <= now) await completeThemeTask(db, themeId, taskIds[0], '各村已排查，台账已建立', actor, surveyDone);
  const tickets = await db.ticket.findMany({
    where: {
      categoryCode: category.code,
      regionId: { in: subtreeIds(regions, township.id) },
      createdAt: { gte: monthBounds(shiftMonth(month, -1)).from, lte: now },
      mergedIntoId: null,
    },
    select: { id: true, number: true, regionId: true },
    orderBy: { id: 'desc' },
    take: LINKED,
  });
  for (const ticket of tickets.reverse()) await linkThemeTicket(db, regions, themeId, ticket, actor, now);
  return themeId;
}

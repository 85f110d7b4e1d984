/**
 * A hand-made November 2026 and the three months before it in the demo county, for the
 * 每月一题 tests: requests placed in chosen villages on chosen days, through the pipeline.
 *
 * Villages: A QH-01-001, B QH-01-002, C QH-01-003 (township QH-01), D QH-02-001.
 * - 村口的路灯坏了 (power): November A A B C D; before it 路灯坏了晚上太黑 in A (August),
 *   A (September), B B (October).
 * - 张建国家门口垃圾堆积 (sanitation, 张建国 made a roster name), November A and B, once
 *   with a phone number; nothing before.
 * - 停水好几天了 (water): A and D in each of the four months.
 */
import type { App } from '../../src/app.js';
import type { FakeClock } from './org-fixture.js';

export const VILLAGES = { A: 'QH-01-001', B: 'QH-01-002', C: 'QH-01-003', D: 'QH-02-001' } as const;
type Village = keyof typeof VILLAGES;

/** A roster name the requests mention. */
export const ROSTER_NAME = '张建国';

/** The requests: day (Beijing), village, category, text. Oldest first. */
const REQUESTS: [string, Village, string, string][] = [
  ['2026-08-05T10:00', 'A', 'power', '路灯坏了晚上太黑'],
  ['2026-08-06T10:00', 'A', 'water', '停水好几天了'],
  ['2026-08-07T10:00', 'D', 'water', '停水好几天了'],
  ['2026-09-05T10:00', 'A', 'power', '路灯坏了晚上太黑'],
  ['2026-09-06T10:00', 'A', 'water', '停水好几天了'],
  ['2026-09-07T10:00', 'D', 'water', '停水好几天了'],
  ['2026-10-05T10:00', 'B', 'power', '路灯坏了晚上太黑'],
  ['2026-10-06T10:00', 'B', 'power', '路灯坏了晚上太黑'],
  ['2026-10-07T10:00', 'A', 'water', '停水好几天了'],
  ['2026-10-08T10:00', 'D', 'water', '停水好几天了'],
  ['2026-11-02T10:00', 'A', 'power', '村口的路灯坏了'],
  ['2026-11-03T10:00', 'A', 'water', '停水好几天了'],
  ['2026-11-03T11:00', 'D', 'water', '停水好几天了'],
  ['2026-11-04T10:00', 'B', 'power', '村口的路灯坏了'],
  ['2026-11-05T10:00', 'A', 'sanitation', `${ROSTER_NAME}家门口垃圾堆积`],
  ['2026-11-06T10:00', 'B', 'sanitation', `${ROSTER_NAME}家门口垃圾堆积，电话13912345678`],
  ['2026-11-09T10:00', 'C', 'power', '村口的路灯坏了'],
  ['2026-11-10T10:00', 'D', 'power', '村口的路灯坏了'],
  ['2026-11-11T10:00', 'A', 'power', '村口的路灯坏了'],
];

/**
 * Files the requests at their times (the clock is left at `end`) and returns their
 * numbers by village and category in filing order, e.g. `numbers['A:power']`.
 */
export async function fileThemeMonths(app: App, clock: FakeClock, end: Date): Promise<Record<string, string[]>> {
  const db = app.database.db;
  const someone = await db.person.findFirstOrThrow({ where: { household: { region: { code: VILLAGES.C } } }, orderBy: { id: 'asc' } });
  await db.person.update({ where: { id: someone.id }, data: { name: ROSTER_NAME } });
  const numbers: Record<string, string[]> = {};
  for (const [day, village, categoryCode, text] of REQUESTS) {
    const resident = await db.person.findFirstOrThrow({ where: { household: { region: { code: VILLAGES[village] } } }, orderBy: { id: 'desc' } });
    clock.set(new Date(`${day}:00+08:00`));
    const outcome = await app.pipeline.report({ residentId: resident.id, categoryCode, kind: 'help', summary: text, description: text });
    if (!outcome.ok) throw new Error(`report refused: ${JSON.stringify(outcome.refusal)}`);
    (numbers[`${village}:${categoryCode}`] ??= []).push(outcome.ticket.number);
  }
  clock.set(end);
  return numbers;
}

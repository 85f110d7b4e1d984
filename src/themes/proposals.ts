/**
 * 每月一题 proposals: the problems that recur across several villages this month more than
 * they did before — the categories and the words of the requests (the hot words' words,
 * ../stats/keywords.ts) that reached the most villages this month compared with the
 * months before (路灯: 5 villages, 1 a month before). Staff choose the month's theme from
 * them (./themes.ts).
 *
 * Read from the statistics store (../stats/store.ts), the same facts as every figure:
 * merged duplicates do not count, and a ticket counts in the village it is placed in
 * (tickets placed at a township count as tickets, in no village).
 *
 * Nothing personal becomes a "word": as for hot words, a word the scrubber would change (a
 * roster name, a title with a surname) or with a digit is left out (isShowableWord).
 */
import type { Db } from '../db/client.js';
import { rosterNames } from '../privacy.js';
import { isShowableWord } from '../stats/keywords.js';
import { COUNTS_NOWHERE, ticketFacts, type TicketFacts } from '../stats/store.js';
import { type RegionNode, subtreeIds } from '../org/regions.js';
import { monthBounds } from '../pipeline/calendar.js';

/** The months before the chosen one that make its baseline. */
export const BASELINE_MONTHS = 3;
/** Villages a problem must reach this month to be proposed ("several villages"). */
export const MIN_VILLAGES = 2;
/** Proposals of each kind (categories, words) at most. */
const MAX_PROPOSALS = 10;
/** Example ticket numbers per proposal. */
const EXAMPLES = 3;

/** One proposed problem. */
export interface ThemeProposal {
  kind: 'category' | 'word';
  /** `category:<code>` or `word:<word>`: what a theme adopted from it records. */
  key: string;
  /** The category's name, or the word. */
  label: string;
  /** Villages with a request of it this month, and requests. */
  villages: number;
  tickets: number;
  /** The same per month, averaged over the {@link BASELINE_MONTHS} months before. */
  villagesBefore: number;
  ticketsBefore: number;
  /** Numbers of this month's newest requests of it. */
  examples: string[];
}

/** "2026-11" shifted by `delta` months. */
export function shiftMonth(month: string, delta: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Per term: the villages and tickets counted so far, and the newest rows (examples). */
interface Tally {
  villages: Set<number>;
  tickets: number;
  newest: number[];
}

/** The store rows of one month inside the region, with the village of each (0: none). */
function monthRows(facts: TicketFacts, villageOf: Int32Array, month: string): { rows: number[]; villages: number[] } {
  const { from, to } = monthBounds(month);
  const fromMs = from.getTime();
  const toMs = to.getTime();
  const rows: number[] = [];
  const villages: number[] = [];
  for (let i = 0; i < facts.size; i++) {
    if ((facts.flags[i] as number) & COUNTS_NOWHERE) continue;
    const t = facts.createdMs[i] as number;
    if (t < fromMs || t >= toMs) continue;
    const village = villageOf[facts.regionId[i] as number];
    if (village === undefined || village < 0) continue;
    rows.push(i);
    villages.push(village);
  }
  return { rows, villages };
}

/** The terms of a row: its category (as `-1 - index`) and its word ids (as they are). */
function termsOf(facts: TicketFacts, row: number, wanted: (term: number) => boolean, each: (term: number) => void): void {
  const category = -1 - (facts.category[row] as number);
  if (wanted(category)) each(category);
  const start = facts.wordStart[row] as number;
  const end = start + (facts.wordCount[row] as number);
  for (let w = start; w < end; w++) {
    const id = facts.wordPool[w] as number;
    if (wanted(id)) each(id);
  }
}

function tally(facts: TicketFacts, month: { rows: number[]; villages: number[] }, wanted: (term: number) => boolean, examples: number): Map<number, Tally> {
  const found = new Map<number, Tally>();
  month.rows.forEach((row, m) => {
    const village = month.villages[m] as number;
    termsOf(facts, row, wanted, (term) => {
      let t = found.get(term);
      if (!t) found.set(term, (t = { villages: new Set(), tickets: 0, newest: [] }));
      t.tickets += 1;
      if (village > 0) t.villages.add(village);
      if (examples > 0) {
        // Rows are in id order: the last ones pushed are the newest.
        t.newest.push(row);
        if (t.newest.length > examples) t.newest.shift();
      }
    });
  });
  return found;
}

/**
 * The proposals for `month` (YYYY-MM) in the region `regionId` and below: categories and
 * words with requests in at least {@link MIN_VILLAGES} villages this month and in more
 * villages than the months before averaged, the greatest rise in villages first (then in
 * requests, then by name); at most ten of each kind, categories first.
 */
export async function themeProposals(db: Db, regions: Map<number, RegionNode>, regionId: number, month: string): Promise<ThemeProposal[]> {
  const facts = await ticketFacts(db);
  const inside = new Set(subtreeIds(regions, regionId));
  // Region id → its village's id (itself for a village), 0 for a township or county inside, -1 outside.
  const maxId = Math.max(0, ...regions.keys());
  const villageOf = new Int32Array(maxId + 1).fill(-1);
  for (const id of inside) villageOf[id] = regions.get(id)?.level === 'village' ? id : 0;

  const names = await rosterNames(db);
  const sayable = (term: number) => {
    if (term < 0) return true;
    const word = facts.words[term];
    // As hot words: two characters or more, no stop word, no number, nothing the scrubber would touch.
    return word !== undefined && isShowableWord(word, names);
  };
  const current = tally(facts, monthRows(facts, villageOf, month), () => true, EXAMPLES);
  const candidates = new Set([...current].filter(([term, t]) => t.villages.size >= MIN_VILLAGES && sayable(term)).map(([term]) => term));
  const before = new Map<number, { villages: number; tickets: number }>();
  for (let k = 1; k <= BASELINE_MONTHS; k++) {
    for (const [term, t] of tally(facts, monthRows(facts, villageOf, shiftMonth(month, -k)), (term) => candidates.has(term), 0)) {
      const sum = before.get(term) ?? { villages: 0, tickets: 0 };
      sum.villages += t.villages.size;
      sum.tickets += t.tickets;
      before.set(term, sum);
    }
  }
  const categoryNames = new Map((await db.category.findMany({ select: { code: true, nameZh: true } })).map((c) => [c.code, c.nameZh]));
  const rising = [...candidates].flatMap((term) => {
    const now = current.get(term)!;
    const was = before.get(term) ?? { villages: 0, tickets: 0 };
    const villagesBefore = was.villages / BASELINE_MONTHS;
    if (now.villages.size <= villagesBefore) return [];
    const code = term < 0 ? (facts.categoryCodes[-1 - term] ?? '') : '';
    const word = term < 0 ? '' : (facts.words[term] ?? '');
    return [
      {
        kind: term < 0 ? ('category' as const) : ('word' as const),
        key: term < 0 ? `category:${code}` : `word:${word}`,
        label: term < 0 ? (categoryNames.get(code) ?? code) : word,
        villages: now.villages.size,
        tickets: now.tickets,
        villagesBefore,
        ticketsBefore: was.tickets / BASELINE_MONTHS,
        newest: now.newest,
      },
    ];
  });
  const collator = new Intl.Collator('zh');
  rising.sort(
    (a, b) => b.villages - b.villagesBefore - (a.villages - a.villagesBefore) || b.tickets - b.ticketsBefore - (a.tickets - a.ticketsBefore) || collator.compare(a.label, b.label),
  );
  const chosen = [...rising.filter((p) => p.kind === 'category').slice(0, MAX_PROPOSALS), ...rising.filter((p) => p.kind === 'word').slice(0, MAX_PROPOSALS)];
  // Examples: the newest requests (highest ids), their numbers read in one query.
  const exampleIds = new Map(chosen.map((p) => [p.key, p.newest.map((row) => facts.id[row] as number).reverse()]));
  const numbers = new Map(
    (await db.ticket.findMany({ where: { id: { in: [...new Set([...exampleIds.values()].flat())] } }, select: { id: true, number: true } })).map((t) => [t.id, t.number]),
  );
  return chosen.map(({ newest: _newest, ...p }) => ({ ...p, examples: (exampleIds.get(p.key) ?? []).flatMap((id) => numbers.get(id) ?? []) }));
}

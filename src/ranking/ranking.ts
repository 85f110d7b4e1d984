/**
 * The 三率 ranking 红黑榜: a month's score of every village, department or liaison of a
 * region, from the weights of that region (./settings.ts), ranked, with the change since
 * the previous month.
 *
 * The score, out of 100: each positive term's rate times its weight, over the positive
 * weights whose rate has a denominator (a term nobody could count, say no callback yet,
 * is left out and the others keep their proportions), less each negative term's rate
 * times its weight. 走访覆盖率 has no meaning for a department: it is not applicable
 * there, and counts as left out.
 *
 * Small samples, as dashboards that rank do (listed, greyed, not ranked): an entity is
 * ranked only with at least the region's minimum of tickets received in the month and
 * with rates for at least half of its applicable positive weight. The others are listed
 * after the ranked ones with their figures and the reason, and have no rank and no score
 * to compare. Equal scores (to one decimal, as printed) share a rank: 1, 2, 2, 4.
 *
 * The figures are the statistics' (src/stats/): the tickets received in the month inside
 * the region, each rate as src/stats/definitions.ts defines it.
 */
import { type Db, sqlOf } from '../db/client.js';
import { all, defineQuery } from '../db/sql.js';
import { localDateOf } from '../pipeline/calendar.js';
import { emptyFigures } from '../stats/aggregate.js';
import { breakdowns, periodRange } from '../stats/query.js';
import type { Dimension, Figures, Rate } from '../stats/types.js';
import { visitedOfPaired } from '../visits/month-coverage.js';
import { type RegionNode, subtreeIds } from '../org/regions.js';
import { NEGATIVE_TERMS, POSITIVE_TERMS, type RankingSettings, rankingSettings, type Term, TERMS, type Weights } from './settings.js';

/** What is ranked. */
export const RANKING_LEVELS = ['village', 'department', 'liaison'] as const;
export type RankingLevel = (typeof RANKING_LEVELS)[number];

/** Entities in the 红榜 and in the 黑榜. */
export const BOARD_SIZE = 5;

/** One term of a score. */
export interface ScorePart {
  term: Term;
  /** The rate, or null where the term does not apply (走访覆盖率 of a department). */
  rate: Rate | null;
  /** The region's weight. */
  weight: number;
  /** Points out of 100 this term adds (negative terms take off); null when the term counts not. */
  contribution: number | null;
}

/** Why an entity is listed but not ranked. */
export type Unranked = 'few_tickets' | 'few_rates';

export interface ScoredEntity {
  /** Region, department or person id. */
  id: number;
  label: string;
  received: number;
  /** The terms with a weight, in the order of TERMS. */
  parts: ScorePart[];
  /** The score out of 100, one decimal; null when not ranked. */
  score: number | null;
  unranked: Unranked | null;
}

export interface RankedEntity extends ScoredEntity {
  /** 1 for the best; null when not ranked. */
  rank: number | null;
  /** Last month's rank and score (null: not ranked then). */
  previousRank: number | null;
  previousScore: number | null;
  /** Places gained since last month (positive: up); null when either month is unranked. */
  rankChange: number | null;
  scoreChange: number | null;
}

export interface Ranking {
  level: RankingLevel;
  /** Ranked first, best first; then the unranked, most tickets first. */
  entities: RankedEntity[];
  /** 红榜: the best five; 黑榜: the worst five, worst first (of fewer than ten ranked, the better half and the rest). */
  top: RankedEntity[];
  bottom: RankedEntity[];
}

export interface RankingRequest {
  region: RegionNode;
  /** YYYY-MM, Beijing time. */
  month: string;
  levels: readonly RankingLevel[];
}

export interface Rankings {
  region: RegionNode;
  month: string;
  previousMonth: string;
  settings: RankingSettings;
  rankings: Ranking[];
}

/** `value` rounded to `decimals` places, as printed. */
const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

/** The rate of each term from an entity's figures and coverage (coverage null: not applicable). */
function ratesOf(figures: Figures, coverage: Rate | null): Record<Term, Rate | null> {
  return {
    response: figures.responseRate,
    resolution: figures.resolutionRate,
    satisfaction: figures.satisfactionRate,
    onTime: figures.onTimeRate,
    oneTime: figures.oneTimeRate,
    coverage,
    returned: figures.returnRate,
    reopened: figures.reopenRate,
  };
}

/**
 * The score of one entity (see the module's comment). Pure: the tests check it on
 * hand-worked figures. Contributions are rounded to two decimals for print; the score is
 * their exact sum rounded to one.
 */
export function scoreOf(rates: Record<Term, Rate | null>, weights: Weights, received: number, minTickets: number): Omit<ScoredEntity, 'id' | 'label'> {
  const weighted = TERMS.filter((t) => weights[t] > 0);
  const counts = (t: Term) => rates[t] !== null && rates[t].value !== null;
  const applicable = POSITIVE_TERMS.filter((t) => weights[t] > 0 && rates[t] !== null).reduce((sum, t) => sum + weights[t], 0);
  const available = POSITIVE_TERMS.filter((t) => weights[t] > 0 && counts(t)).reduce((sum, t) => sum + weights[t], 0);
  const exact = new Map<Term, number>();
  for (const t of weighted) {
    if (!counts(t)) continue;
    const value = rates[t]!.value!;
    if ((NEGATIVE_TERMS as readonly Term[]).includes(t)) exact.set(t, -100 * weights[t] * value);
    else if (available > 0) exact.set(t, (100 * weights[t] * value) / available);
  }
  const unranked: Unranked | null = received < minTickets ? 'few_tickets' : available === 0 || available < applicable / 2 ? 'few_rates' : null;
  const parts = weighted.map((t) => ({ term: t, rate: rates[t], weight: weights[t], contribution: exact.has(t) ? round(exact.get(t)!, 2) : null }));
  const score = unranked
    ? null
    : round(
        [...exact.values()].reduce((a, b) => a + b, 0),
        1,
      );
  return { received, parts, score, unranked };
}

/** Ranks scored entities: best first, equal scores sharing a rank; the unranked after, most tickets first. */
function ranked(entities: ScoredEntity[]): { entity: ScoredEntity; rank: number | null }[] {
  const withScore = entities.filter((e) => e.score !== null).sort((a, b) => b.score! - a.score! || b.received - a.received || a.label.localeCompare(b.label, 'zh'));
  const without = entities.filter((e) => e.score === null).sort((a, b) => b.received - a.received || a.label.localeCompare(b.label, 'zh'));
  let rank = 0;
  return [
    ...withScore.map((entity, i) => {
      if (i === 0 || entity.score !== withScore[i - 1]!.score) rank = i + 1;
      return { entity, rank };
    }),
    ...without.map((entity) => ({ entity, rank: null })),
  ];
}

const DIMENSION: Record<RankingLevel, Dimension> = { village: 'village', department: 'department', liaison: 'liaison' };

/** Every department and every liaison (by the region of their role), filtered in memory: a county's region list is too long to bind. */
const departmentsQuery = defineQuery('ranking_departments', (db) => db.selectFrom('Department').select(['id', 'name', 'code', 'regionId']).orderBy('code'));
const liaisonsQuery = defineQuery('ranking_liaisons', (db) =>
  db
    .selectFrom('PersonRole as pr')
    .innerJoin('Person as p', 'p.id', 'pr.personId')
    .select(['p.id', 'p.name', 'p.code', 'pr.regionId'])
    .where('pr.role', '=', 'liaison')
    .orderBy('p.code'),
);

/** The entities a level ranks in a region: its villages, its departments, the liaisons serving in it. */
async function entitiesOf(db: Db, regions: Map<number, RegionNode>, region: RegionNode, level: RankingLevel): Promise<{ id: number; label: string }[]> {
  const inside = new Set(subtreeIds(regions, region.id));
  if (level === 'village')
    return [...inside]
      .map((id) => regions.get(id)!)
      .filter((r) => r.level === 'village')
      .sort((a, b) => a.code.localeCompare(b.code))
      .map((r) => ({ id: r.id, label: r.name }));
  if (level === 'department') return (await all(sqlOf(db), departmentsQuery, {})).filter((d) => inside.has(d.regionId)).map((d) => ({ id: d.id, label: d.name }));
  const people = new Map<number, { id: number; label: string }>();
  for (const p of await all(sqlOf(db), liaisonsQuery, {})) if (inside.has(p.regionId) && !people.has(p.id)) people.set(p.id, { id: p.id, label: `${p.name} ${p.code}` });
  return [...people.values()];
}

/** The month's 走访覆盖率 by village and by liaison (paired households visited ÷ paired). */
async function coverageRates(db: Db, villageIds: number[], range: { from: Date; to: Date }): Promise<{ village: Map<number, Rate>; liaison: Map<number, Rate> }> {
  const sums = { village: new Map<number, [number, number]>(), liaison: new Map<number, [number, number]>() };
  for (const line of await visitedOfPaired(db, { regionIds: villageIds, ...range, liaisonId: 0 })) {
    for (const [map, id] of [
      [sums.village, line.regionId],
      [sums.liaison, line.liaisonId],
    ] as const) {
      const sum = map.get(id) ?? [0, 0];
      map.set(id, [sum[0] + line.visited, sum[1] + line.paired]);
    }
  }
  const rates = (map: Map<number, [number, number]>) => new Map([...map].map(([id, [n, d]]) => [id, { numerator: n, denominator: d, value: d === 0 ? null : n / d }]));
  return { village: rates(sums.village), liaison: rates(sums.liaison) };
}

const NO_RATE: Rate = { numerator: 0, denominator: 0, value: null };

/** The scores of every entity of each level for one month. */
async function monthScores(
  db: Db,
  region: RegionNode,
  villageIds: number[],
  range: { from: Date; to: Date },
  levels: readonly { level: RankingLevel; entities: { id: number; label: string }[] }[],
  settings: RankingSettings,
): Promise<ScoredEntity[][]> {
  const found = await breakdowns(
    db,
    { scopeRegionId: region.id, ...range },
    levels.map((l) => DIMENSION[l.level]),
  );
  // The visit records are read only when the ranking weighs them (a county's month is ~100,000 visits).
  const coverage = settings.weights.coverage > 0 && levels.some((l) => l.level !== 'department') ? await coverageRates(db, villageIds, range) : null;
  return levels.map(({ level, entities }, index) => {
    const rows = new Map(found.breakdowns[index]!.rows.map((r) => [r.key, r.figures]));
    return entities.map(({ id, label }) => {
      const f = rows.get(String(id)) ?? NO_TICKETS;
      const cover = level === 'department' ? null : ((level === 'village' ? coverage?.village : coverage?.liaison)?.get(id) ?? NO_RATE);
      return { id, label, ...scoreOf(ratesOf(f, cover), settings.weights, f.received, settings.minTickets) };
    });
  });
}

/** The figures of an entity without a ticket in the month. */
const NO_TICKETS: Figures = emptyFigures();

/** The last whole month before `now` (Beijing time), YYYY-MM: the one a 红黑榜 is made for. */
export function lastWholeMonth(now: Date): string {
  return localDateOf(new Date(periodRange('month', now).from.getTime() - 1)).slice(0, 7);
}

/**
 * The rankings of a region for a month, one per level asked, scored with the region's
 * settings, each entity with last month's rank and score.
 */
export async function rankRegion(db: Db, regions: Map<number, RegionNode>, request: RankingRequest): Promise<Rankings> {
  const { region, month, levels } = request;
  const range = periodRange('month', new Date(`${month}-15T04:00:00Z`));
  const before = periodRange('month', new Date(range.from.getTime() - 1));
  const settings = await rankingSettings(db, regions, region.id);
  const villageIds = subtreeIds(regions, region.id).filter((id) => regions.get(id)?.level === 'village');
  const lists = await Promise.all(levels.map(async (level) => ({ level, entities: await entitiesOf(db, regions, region, level) })));
  const current = await monthScores(db, region, villageIds, range, lists, settings);
  const previous = await monthScores(db, region, villageIds, before, lists, settings);
  const rankings = lists.map(({ level }, index): Ranking => {
    const last = new Map(ranked(previous[index]!).map(({ entity, rank }) => [entity.id, { rank, score: entity.score }]));
    const entities = ranked(current[index]!).map(({ entity, rank }): RankedEntity => {
      const then = last.get(entity.id);
      const previousRank = then?.rank ?? null;
      const previousScore = then?.score ?? null;
      return {
        ...entity,
        rank,
        previousRank,
        previousScore,
        rankChange: rank !== null && previousRank !== null ? previousRank - rank : null,
        scoreChange: entity.score !== null && previousScore !== null ? round(entity.score - previousScore, 1) : null,
      };
    });
    const scored = entities.filter((e) => e.rank !== null);
    // Fewer than ten ranked (a township of three villages): the better half is the 红榜, the rest the 黑榜.
    const topSize = Math.min(BOARD_SIZE, Math.ceil(scored.length / 2));
    const bottomSize = Math.min(BOARD_SIZE, scored.length - topSize);
    return { level, entities, top: scored.slice(0, topSize), bottom: scored.slice(scored.length - bottomSize).reverse() };
  });
  return { region, month, previousMonth: localDateOf(before.from).slice(0, 7), settings, rankings };
}

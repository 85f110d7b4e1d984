/**
 * A meeting's agenda, prepared before it (src/meetings/duty.ts) and kept as a snapshot
 * so that it reads the same later. For a village: what its liaisons collected in the
 * period looked back on (visits and 包户 coverage, requests received by category); the
 * previous meeting's decisions and where they stand; this month's hot words and the
 * theme 每月一题 adopted or proposed; the overdue and reopened requests with their owners;
 * the ledger items due. A township's or the county's agenda counts the same over the
 * regions below it, with a line per village (or township).
 *
 * Every figure comes from the module that owns it (the statistics store, the monthly
 * report's item lists, the visit coverage, the ledger), so the agenda and the monthly
 * report never disagree. Texts are scrubbed and people's names masked as in the report:
 * an agenda is printed and handed round.
 */
import type { Db } from '../db/client.js';
import { ledgerItemIds, type LedgerStatus, loadLedgerItems } from '../ledger/ledger.js';
import { rosterNames, scrub } from '../privacy.js';
import { overdueItems, reopenedItems } from '../report/items.js';
import { breakdown, hotWords } from '../stats/query.js';
import { shiftMonth, themeProposals } from '../themes/proposals.js';
import { coverageByPlace, percent } from '../visits/month-coverage.js';
import { pathOf, type RegionNode, subtreeIds } from '../org/regions.js';
import { type DecisionView, loadDecisions } from './decisions.js';
import { type MeetingKind, monthOfPeriod } from './schedule.js';
import { monthBounds } from '../pipeline/calendar.js';

/** Lines of each list an agenda holds at most (the console's queue has them all). */
const LIST_LIMIT = 30;
const HOT_WORDS = 10;
const PROPOSALS = 5;

export interface AgendaPlace {
  name: string;
  paired: number;
  visited: number;
  visits: number;
  /** 走访覆盖率, percent with one decimal; null with no paired household. */
  coverage: number | null;
  received: number;
  overdue: number;
}

export interface AgendaTicket {
  number: string;
  place: string;
  category: string;
  summary: string;
  owner: string;
  state: string;
  /** Overdue: still overdue now; reopened: times reopened in all. */
  note: string;
}

export interface AgendaLedgerItem {
  id: number;
  goal: string;
  deadline: string;
  owner: string;
  status: LedgerStatus;
}

/** The agenda as stored (JSON in Meeting.agenda). */
export interface Agenda {
  region: string;
  kind: MeetingKind;
  period: string;
  heldOn: string;
  preparedAt: string;
  /** The period looked back on: the month before (the quarter before, for the county). */
  review: { label: string; from: string; to: string };
  /** The region's own figures over the review period. */
  totals: AgendaPlace;
  byCategory: { name: string; count: number }[];
  /** A line per region below (villages of a township, townships of the county); none for a village. */
  places: AgendaPlace[];
  previous: { meetingId: number; heldOn: string; decisions: Pick<DecisionView, 'kind' | 'text' | 'owner' | 'deadline' | 'status' | 'reference'>[] } | null;
  hotWords: { word: string; count: number }[];
  proposals: { label: string; villages: number; tickets: number }[];
  theme: { title: string; month: string; adopted: boolean } | null;
  overdue: AgendaTicket[];
  overdueTotal: number;
  reopened: AgendaTicket[];
  reopenedTotal: number;
  ledger: AgendaLedgerItem[];
}

/** The meeting an agenda is prepared for. */
export interface AgendaTarget {
  regionId: number;
  kind: MeetingKind;
  period: string;
  heldOn: string;
}

/** The instants of the period looked back on, and its name. */
export function reviewPeriod(kind: MeetingKind, period: string): { label: string; from: Date; to: Date } {
  const month = monthOfPeriod(period);
  const months = kind === 'county' ? 3 : 1;
  const first = shiftMonth(month, -months);
  const last = shiftMonth(month, -1);
  return { label: months === 1 ? first : `${first}—${last}`, from: monthBounds(first).from, to: monthBounds(month).from };
}

/** Prepares the agenda of `target` as of `now`. */
export async function buildAgenda(db: Db, regions: Map<number, RegionNode>, target: AgendaTarget, now: Date): Promise<Agenda> {
  const region = regions.get(target.regionId);
  if (!region) throw new Error(`no region ${target.regionId}`);
  const review = reviewPeriod(target.kind, target.period);
  const month = monthOfPeriod(target.period);
  const inside = subtreeIds(regions, region.id);
  const villagesOf = (id: number) => subtreeIds(regions, id).filter((v) => regions.get(v)?.level === 'village');
  const children = [...regions.values()].filter((r) => r.parentId === region.id).sort((a, b) => a.code.localeCompare(b.code));
  const query = { scopeRegionId: region.id, from: review.from, to: review.to };
  // "This month": the meeting's month so far, or the review period when it has not begun.
  const thisMonth = monthBounds(month).from < now ? { ...query, from: monthBounds(month).from, to: now } : query;

  const [coverage, categories, places, words, overdue, reopened, names] = await Promise.all([
    // A village is its own one place; the total of a township's (the county's) places is its own figures.
    coverageByPlace(
      db,
      (children.length ? children : [region]).map((c) => ({ name: c.name, code: c.code, villageIds: villagesOf(c.id) })),
      review,
    ),
    breakdown(db, query, 'category'),
    children.length ? breakdown(db, query, 'region') : null,
    hotWords(db, thisMonth, HOT_WORDS),
    overdueItems(db, { regionIds: inside, from: review.from, to: now, now }, LIST_LIMIT),
    reopenedItems(db, { regionIds: inside, from: review.from, to: now, now }, LIST_LIMIT),
    rosterNames(db),
  ]);
  const placeOf = (name: string, figures: { paired: number; visited: number; visits: number }, received: number, overdueNow: number): AgendaPlace => ({
    name,
    paired: figures.paired,
    visited: figures.visited,
    visits: figures.visits,
    coverage: percent(figures.visited, figures.paired),
    received,
    overdue: overdueNow,
  });
  const receivedBy = new Map((places?.rows ?? []).map((r) => [r.key, r.figures]));

  // The theme: adopted for the month on the region's path (the nearest), else the first proposal.
  const path = pathOf(regions, region.id);
  const adopted = (await db.theme.findMany({ where: { regionId: { in: path }, month }, select: { regionId: true, title: true, month: true } })).sort(
    (a, b) => path.indexOf(b.regionId) - path.indexOf(a.regionId),
  )[0];
  // Proposals need several villages: a village's come from its township.
  const proposalRegion = region.level === 'village' ? (region.parentId ?? region.id) : region.id;
  const proposals = (await themeProposals(db, regions, proposalRegion, month)).slice(0, PROPOSALS);
  const theme = adopted ? { title: adopted.title, month, adopted: true } : proposals[0] ? { title: proposals[0].label, month, adopted: false } : null;

  // Ledger items open and due by the meeting's month end (the late ones included).
  const monthEnd = `${month}-31`;
  const ledger = (await loadLedgerItems(db, regions, await ledgerItemIds(db, inside), now))
    .filter((i) => (i.status === 'on_track' || i.status === 'late') && i.deadline <= monthEnd)
    .slice(0, LIST_LIMIT)
    .map((i) => ({ id: i.id, goal: scrub(i.goal, names), deadline: i.deadline, owner: i.ownerName, status: i.status }));

  const previousMeeting = await db.meeting.findFirst({
    where: { regionId: region.id, kind: target.kind, heldOn: { lt: target.heldOn } },
    orderBy: { heldOn: 'desc' },
    select: { id: true, heldOn: true },
  });
  const previous = previousMeeting
    ? {
        meetingId: previousMeeting.id,
        heldOn: previousMeeting.heldOn,
        decisions: (await loadDecisions(db, [previousMeeting.id], now)).map((d) => ({
          kind: d.kind,
          text: scrub(d.text, names),
          owner: d.owner,
          deadline: d.deadline,
          status: d.status,
          reference: d.reference,
        })),
      }
    : null;

  const ticketLine = (i: { number: string; place: string; category: string; summary: string; owner: string; state: string }, note: string): AgendaTicket => ({
    number: i.number,
    place: i.place,
    category: i.category,
    summary: i.summary,
    owner: i.owner,
    state: i.state,
    note,
  });
  return {
    region: region.name,
    kind: target.kind,
    period: target.period,
    heldOn: target.heldOn,
    preparedAt: now.toISOString(),
    review: { label: review.label, from: review.from.toISOString(), to: review.to.toISOString() },
    totals: placeOf(region.name, coverage.total, categories.total.received, categories.total.overdue),
    byCategory: categories.rows.map((r) => ({ name: r.label, count: r.figures.received })),
    places: (children.length ? coverage.places : []).map((p, index) => {
      const figures = receivedBy.get(String(children[index]!.id));
      return placeOf(p.name, p.figures, figures?.received ?? 0, figures?.overdue ?? 0);
    }),
    previous,
    hotWords: words,
    proposals: proposals.map((p) => ({ label: p.label, villages: p.villages, tickets: p.tickets })),
    theme,
    overdue: overdue.items.map((i) => ticketLine(i, i.stillOverdue ? '仍超期 still overdue' : '已不超期 no longer overdue')),
    overdueTotal: overdue.total,
    reopened: reopened.items.map((i) => ticketLine(i, `重办 ${i.reopenCount} 次 reopened ${i.reopenCount}×`)),
    reopenedTotal: reopened.total,
    ledger,
  };
}

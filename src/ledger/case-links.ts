/**
 * Ledger items linked to 帮扶 assistance and mediation cases (the "linked to
 * tickets, themes and cases"), read both ways: an item lists its cases, a case its items.
 * A case may be linked to an item of its region or a region above it, by staff who see
 * both; each link is an audit event.
 */
import { type Db, transaction } from '../db/client.js';
import { type RegionNode, subtreeIds } from '../org/regions.js';
import { LedgerRefused, ledgerStatus, type LedgerStatus } from './ledger.js';
import { localDateOf } from '../pipeline/calendar.js';
import { maskContacts } from '../privacy.js';

export const LINKED_CASE_KINDS = ['assistance', 'mediation'] as const;
export type LinkedCaseKind = (typeof LINKED_CASE_KINDS)[number];

/** A case as a ledger item lists it. */
export interface LinkedCase {
  kind: LinkedCaseKind;
  caseId: number;
  /** The mediation case's title, or the assisted household's code. */
  title: string;
  regionId: number;
}

/** A ledger item as a case lists it. */
export interface LinkedLedgerItem {
  id: number;
  regionId: number;
  goal: string;
  deadline: string;
  status: LedgerStatus;
}

/** The case's region, or undefined when there is no such case. */
async function caseRegion(db: Db, kind: LinkedCaseKind, caseId: number): Promise<number | undefined> {
  const found =
    kind === 'assistance'
      ? await db.assistanceCase.findUnique({ where: { id: caseId }, select: { regionId: true } })
      : await db.mediationCase.findUnique({ where: { id: caseId }, select: { regionId: true } });
  return found?.regionId;
}

/**
 * Links case `kind` #`caseId` to the item; refused (with the reason) for a case that does
 * not exist, is outside `visibleRegionIds` (the user's), or outside the item's region, or is linked already.
 */
export async function linkLedgerCase(
  db: Db,
  regions: Map<number, RegionNode>,
  visibleRegionIds: readonly number[],
  itemId: number,
  target: { kind: LinkedCaseKind; caseId: number },
  actorId: number,
  now: Date,
): Promise<void> {
  const label = target.kind === 'assistance' ? `帮扶 #${target.caseId}` : `调解 #${target.caseId}`;
  const item = await db.ledgerItem.findUnique({ where: { id: itemId }, select: { regionId: true } });
  if (!item) throw new LedgerRefused('没有这个台账事项。 There is no such ledger item.');
  const regionId = await caseRegion(db, target.kind, target.caseId);
  if (regionId === undefined || !visibleRegionIds.includes(regionId)) throw new LedgerRefused(`没有找到${label}，或它不在您的工作范围内。 There is no such case in your area.`);
  if (!subtreeIds(regions, item.regionId).includes(regionId)) throw new LedgerRefused(`${label}不在该事项的地区内。 The case is not in the item’s region.`);
  const key = { itemId, kind: target.kind, caseId: target.caseId };
  if (await db.ledgerCaseLink.findUnique({ where: { itemId_kind_caseId: key } })) throw new LedgerRefused(`${label}已关联。 The case is linked already.`);
  await transaction(db, async (tx) => {
    await tx.ledgerCaseLink.create({ data: { ...key, linkedById: actorId, linkedAt: now } });
    await tx.auditEvent.create({ data: { action: 'ledger_case_linked', actorId, at: now, data: JSON.stringify(key) } });
  });
}

/** The cases linked to each of the items, in the order linked. */
export async function casesOfLedgerItems(db: Db, itemIds: readonly number[]): Promise<Map<number, LinkedCase[]>> {
  const links = await db.ledgerCaseLink.findMany({ where: { itemId: { in: [...itemIds] } }, orderBy: [{ linkedAt: 'asc' }, { caseId: 'asc' }] });
  const idsOf = (kind: LinkedCaseKind) => [...new Set(links.filter((l) => l.kind === kind).map((l) => l.caseId))];
  const [assistance, mediation] = await Promise.all([
    db.assistanceCase.findMany({ where: { id: { in: idsOf('assistance') } }, select: { id: true, householdId: true, regionId: true } }),
    db.mediationCase.findMany({ where: { id: { in: idsOf('mediation') } }, select: { id: true, title: true, regionId: true } }),
  ]);
  const households = await db.household.findMany({ where: { id: { in: assistance.map((a) => a.householdId) } }, select: { id: true, code: true } });
  const householdCode = new Map(households.map((h) => [h.id, h.code]));
  const cases = new Map<string, { title: string; regionId: number }>([
    ...assistance.map((a) => [`assistance:${a.id}`, { title: householdCode.get(a.householdId) ?? '', regionId: a.regionId }] as const),
    // The case's title as staff read it (caseForStaff).
    ...mediation.map((m) => [`mediation:${m.id}`, { title: maskContacts(m.title), regionId: m.regionId }] as const),
  ]);
  const byItem = new Map<number, LinkedCase[]>();
  for (const l of links) {
    const found = cases.get(`${l.kind}:${l.caseId}`);
    if (found === undefined) continue;
    byItem.set(l.itemId, [...(byItem.get(l.itemId) ?? []), { kind: l.kind as LinkedCaseKind, caseId: l.caseId, ...found }]);
  }
  return byItem;
}

/** The ledger items a case is linked to that are of `visibleRegionIds` (the user's), the earliest deadline first. */
export async function ledgerItemsOfCase(db: Db, kind: LinkedCaseKind, caseId: number, visibleRegionIds: readonly number[], now: Date): Promise<LinkedLedgerItem[]> {
  const links = await db.ledgerCaseLink.findMany({ where: { kind, caseId }, select: { itemId: true } });
  const items = await db.ledgerItem.findMany({
    where: { id: { in: links.map((l) => l.itemId) }, regionId: { in: [...visibleRegionIds] } },
    orderBy: [{ deadline: 'asc' }, { id: 'asc' }],
  });
  const today = localDateOf(now);
  return items.map((i) => ({ id: i.id, regionId: i.regionId, goal: i.goal, deadline: i.deadline, status: ledgerStatus(i, today) }));
}

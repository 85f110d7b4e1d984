/**
 * Routing 分流: who handles a new request. Pure; the runner gathers the facts.
 *
 * The household's paired liaison (包户) first, else a leader of one of the household's
 * grids (geographic grids before thematic ones), else the category's department at the
 * township. With none of these, the request waits, received, for the township's
 * dispatchers.
 */
import type { RouteDecision } from './machine.js';

/** What routing looks at, loaded by the runner for one request. */
export interface RoutingFacts {
  /** The village of the request, when known. */
  villageRegionId: number | null;
  townshipRegionId: number;
  /** The liaison paired with the resident's household. */
  pairedLiaisonId: number | null;
  /** Leaders of the household's grids, geographic grids first. */
  gridLeaderIds: number[];
  /** The department of the category's kind at the township. */
  departmentId: number | null;
}

export function route(facts: RoutingFacts): RouteDecision {
  const village = facts.villageRegionId;
  if (facts.pairedLiaisonId !== null && village !== null) {
    return { target: { personId: facts.pairedLiaisonId }, handlingRegionId: village, level: 'village', via: 'pairing' };
  }
  const leader = facts.gridLeaderIds[0];
  if (leader !== undefined && village !== null) {
    return { target: { personId: leader }, handlingRegionId: village, level: 'village', via: 'grid_leader' };
  }
  if (facts.departmentId !== null) {
    return {
      target: { departmentId: facts.departmentId },
      handlingRegionId: facts.townshipRegionId,
      level: 'township',
      via: 'department',
    };
  }
  return { target: null, handlingRegionId: facts.townshipRegionId, level: 'township', via: 'none' };
}

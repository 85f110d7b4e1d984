export function route(facts) {
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

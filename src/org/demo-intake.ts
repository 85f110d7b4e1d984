/**
 * The demo county's 受理登记, after the demo history: requests the township's clerks
 * registered this morning for residents who walked in, phoned or wrote, and one matter
 * settled on the spot (即办) — through the same function as the console's form, so the
 * statistics' channel table and the queue show them on first start. Deterministic: a
 * function of the roster and `now`.
 */
import type { Database } from '../db/client.js';
import { type IntakeRequest, registerIntake } from '../intake/intake.js';
import type { PipelineRules } from '../pipeline/model.js';
import { PipelineService } from '../pipeline/service.js';
import { loadRegions, subtreeIds } from './regions.js';
import { deliveredAsWritten, outboxMark } from './demo-past.js';

/** One demo registration: who registered it (a dispatcher's person code), for whom, and what. */
interface DemoIntake {
  clerk: string;
  /** A rostered resident's person code, or a new person. */
  resident: string | { name: string; phone: string; village: string };
  /** Minutes before `now` it was registered. */
  minutesAgo: number;
  request: Omit<IntakeRequest, 'resident' | 'regionId'>;
}

const INTAKES: DemoIntake[] = [
  {
    clerk: 'DSP-QH-01',
    resident: 'R-QH-01-002-H003',
    minutesAgo: 150,
    request: {
      channel: 'station',
      categoryCode: 'sanitation',
      description: '村委会旁边的垃圾池满了好几天，没人来清运，气味很大',
      location: '村委会旁垃圾池',
      urgent: false,
      settled: null,
    },
  },
  {
    clerk: 'DSP-QH-01',
    resident: { name: '周桂兰', phone: '13800138021', village: 'QH-01-001' },
    minutesAgo: 120,
    request: { channel: 'phone', categoryCode: 'water', description: '来电反映家里水压太低，二楼一整天都没有水', location: '', urgent: false, settled: null },
  },
  {
    clerk: 'DSP-QH-01',
    resident: 'R-QH-01-001-H005',
    minutesAgo: 90,
    request: {
      channel: 'station',
      categoryCode: 'welfare',
      description: '咨询八十岁以上老人的高龄补贴怎么申领',
      location: '',
      urgent: false,
      settled: '已当场讲解申领条件和所需材料，发放申请表并指导填写',
    },
  },
  {
    clerk: 'DSP-QH-02',
    resident: 'R-QH-02-001-H002',
    minutesAgo: 60,
    request: { channel: 'letter', categoryCode: 'road', description: '来信反映村道靠近桥头有几处坑洼，雨天积水，骑车容易摔倒', location: '桥头', urgent: false, settled: null },
  },
];

/** Registers the demo requests; returns how many, 0 when some were registered already or the roster is not the demo's. */
export async function seedDemoIntake(database: Database, options: { now: Date; rules: PipelineRules; ticketPrefix?: string }): Promise<number> {
  const db = database.db;
  if ((await db.ticket.count({ where: { channel: { in: ['station', 'phone', 'letter'] } } })) > 0) return 0;
  const regions = await loadRegions(db);
  const outboxBefore = await outboxMark(db);
  let seeded = 0;
  for (const intake of INTAKES) {
    const clerk = await db.person.findUnique({ where: { code: intake.clerk }, select: { id: true, roles: { where: { role: 'dispatcher' }, select: { regionId: true } } } });
    const township = clerk?.roles[0]?.regionId;
    if (!clerk || township === null || township === undefined) continue;
    const at = new Date(options.now.getTime() - intake.minutesAgo * 60_000);
    const pipeline = new PipelineService({ db, rules: options.rules, clock: { now: () => at }, ...(options.ticketPrefix ? { ticketPrefix: options.ticketPrefix } : {}) });
    const registrar = { personId: clerk.id, regionIds: subtreeIds(regions, township) };
    let resident: IntakeRequest['resident'];
    let regionId: number | undefined;
    if (typeof intake.resident === 'string') {
      const person = await db.person.findUnique({ where: { code: intake.resident }, select: { id: true, household: { select: { regionId: true } } } });
      if (!person?.household) continue;
      resident = { personId: person.id };
      regionId = person.household.regionId;
    } else {
      const village = intake.resident.village;
      resident = { name: intake.resident.name, phone: intake.resident.phone };
      regionId = [...regions.values()].find((r) => r.code === village)?.id;
    }
    if (regionId === undefined) continue;
    const outcome = await registerIntake(pipeline, undefined, registrar, { ...intake.request, resident, regionId });
    if (outcome.ok) seeded++;
  }
  // Nobody in the demo has a chat yet: the receipts and pings count as delivered when written.
  await deliveredAsWritten(db, outboxBefore);
  return seeded;
}

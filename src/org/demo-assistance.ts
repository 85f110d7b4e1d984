/**
 * The demo county's 帮扶 assistance cases, one in each step (done, delivered and awaiting
 * the follow-up, on public notice, awaiting the township, an urgent one overdue at the
 * village, one turned down), with their households' difficulty records — so that
 * /console/assistance and the public board's 五公开 show real cases on first start. Each
 * is played through the same store and machine as staff's clicks, back-dated from `now`;
 * deterministic.
 */
import { actOnAssistance, reportAssistance, saveHardshipRecord } from '../assistance/cases.js';
import { type AssistanceCommand, type AssistanceRules, type HardshipKind, noticeWindow } from '../assistance/machine.js';
import { type Database, sqlTransaction } from '../db/client.js';
import { deliveredAsWritten, outboxMark } from './demo-past.js';

const DAY = 86_400_000;

/** A demo case: the household, what it needs, its steps (days before now), and its difficulty record. */
interface DemoCase {
  household: string;
  need: string;
  urgent: boolean;
  kinds: HardshipKind[];
  members: string;
  reportedDaysAgo: number;
  steps: { daysAgo: number; command: 'village_approve' | 'village_reject' | 'township_approve' | 'deliver' | 'follow_up'; note: string }[];
  plan?: { helper: string; aid: string; amount: string };
}

const CASES: readonly DemoCase[] = [
  {
    household: 'QH-01-001-H003',
    need: '户主因病致贫，子女在外上学，申请临时救助和助学帮扶',
    urgent: false,
    kinds: ['dibao', 'illness'],
    members: '户主，52 岁，慢性肾病；女儿在读高中',
    reportedDaysAgo: 40,
    steps: [
      { daysAgo: 38, command: 'village_approve', note: '入户核实，情况属实' },
      { daysAgo: 33, command: 'township_approve', note: '' },
      { daysAgo: 22, command: 'deliver', note: '救助金已打卡发放' },
      { daysAgo: 15, command: 'follow_up', note: '已回访，家庭生活基本稳定' },
    ],
    plan: { helper: '镇民政办', aid: '临时救助金及助学金', amount: '5000 元' },
  },
  {
    household: 'QH-02-001-H002',
    need: '残疾人家庭，冬季取暖困难，需要取暖设备',
    urgent: false,
    kinds: ['disability'],
    members: '户主，61 岁，肢体残疾二级',
    reportedDaysAgo: 30,
    steps: [
      { daysAgo: 29, command: 'village_approve', note: '' },
      { daysAgo: 26, command: 'township_approve', note: '' },
      { daysAgo: 12, command: 'deliver', note: '电暖器已送到户并安装' },
    ],
    plan: { helper: '县残联', aid: '电暖器一台及冬季取暖补贴', amount: '1 台、800 元' },
  },
  {
    household: 'QH-01-001-H005',
    need: '失地后无稳定收入，申请就业帮扶和生活补助',
    urgent: false,
    kinds: ['landless'],
    members: '户主及配偶，均 50 余岁',
    reportedDaysAgo: 12,
    steps: [
      { daysAgo: 10, command: 'village_approve', note: '村两委研究同意上报' },
      { daysAgo: 3, command: 'township_approve', note: '' },
    ],
    plan: { helper: '镇劳动保障所', aid: '公益性岗位一个及生活补助', amount: '每月 600 元，3 个月' },
  },
  {
    household: 'QH-01-002-H004',
    need: '独居老人房屋漏雨，需要维修',
    urgent: false,
    kinds: ['elderly_alone'],
    members: '户主，78 岁，独居',
    reportedDaysAgo: 6,
    steps: [{ daysAgo: 5, command: 'village_approve', note: '已看现场，屋顶两处漏雨' }],
  },
  {
    household: 'QH-01-001-H007',
    need: '户主突发脑梗住院，家中无人照料，急需救助',
    urgent: true,
    kinds: ['illness'],
    members: '户主，66 岁，住院中；配偶行动不便',
    reportedDaysAgo: 7,
    steps: [],
  },
  {
    household: 'QH-01-002-H006',
    need: '申请低保',
    urgent: false,
    kinds: ['dibao'],
    members: '户主',
    reportedDaysAgo: 20,
    steps: [{ daysAgo: 18, command: 'village_reject', note: '家庭人均收入高于低保标准，已当面解释并告知其他帮扶渠道' }],
  },
];

/** Plays the demo cases; returns how many were opened (0 when a household or its people are missing). */
export async function seedDemoAssistance(database: Database, rules: AssistanceRules, now: Date): Promise<number> {
  const { db } = database;
  const outboxBefore = await outboxMark(db);
  let opened = 0;
  for (const demo of CASES) {
    const household = await db.household.findUnique({ where: { code: demo.household }, include: { pairing: true, region: true } });
    const township = household?.region.parentId ?? null;
    const staff = township === null ? null : await db.personRole.findFirst({ where: { role: 'dispatcher', regionId: township }, orderBy: { personId: 'asc' } });
    if (!household?.pairing || !staff) continue;
    const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY);
    const reportedAt = at(demo.reportedDaysAgo);
    const id = await sqlTransaction(db, (tx) =>
      reportAssistance(tx, { householdId: household.id, need: demo.need, urgent: demo.urgent }, household.pairing!.liaisonId, rules, reportedAt),
    );
    await saveHardshipRecord(db, household.id, { kinds: demo.kinds, members: demo.members, notes: '' }, staff.personId, reportedAt);
    for (const step of demo.steps) {
      const stepAt = at(step.daysAgo);
      const command: AssistanceCommand =
        step.command === 'township_approve'
          ? // The latest day the window allows: the demo promises what the limits give.
            { type: step.command, note: step.note, plan: { ...demo.plan!, deliverBy: noticeWindow(demo.urgent, rules, stepAt).latest } }
          : { type: step.command, note: step.note };
      await actOnAssistance(db, id, command, staff.personId, rules, stepAt);
    }
    opened++;
  }
  // The urgent case's push to the township, marked sent as written, as the demo history's are: nobody in the demo has a chat yet.
  await deliveredAsWritten(db, outboxBefore);
  return opened;
}

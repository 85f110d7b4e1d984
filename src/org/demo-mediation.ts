/**
 * The demo county's disputes 矛盾纠纷调解: a mediator in three villages (a liaison who
 * holds the `mediator` role too, as a roster import gives it) and six cases in every
 * state — mediating, one past its month, an agreement awaiting the parties, one settled
 * and followed up once, one kept to the end, one referred to the court — so that
 * /console/mediation shows real cases and figures on first start. Written through the
 * same functions the console calls; fixed, so the same on every start.
 */
import type { Database } from '../db/client.js';
import { addMediationSession, openMediationCase, staffChangeMediationCase } from '../mediation/cases.js';
import type { MediationCommand, MediationRules } from '../mediation/transitions.js';
import { localDateOf } from '../pipeline/calendar.js';
import { deliveredAsWritten, outboxMark } from './demo-past.js';

const DAY = 86_400_000;

/** Per village: its mediator (a liaison of it) and its cases. */
const VILLAGES = [
  { village: 'QH-01-001', mediator: 'L-QH-01-001-01' },
  { village: 'QH-01-002', mediator: 'L-QH-01-002-01' },
  { village: 'QH-02-001', mediator: 'L-QH-02-001-01' },
] as const;

interface DemoCase {
  village: number;
  /** Household numbers (H001…) of the parties; a name for one not on the roster. */
  parties: (number | string)[];
  title: string;
  facts: string;
  openedDaysAgo: number;
  sessions: { daysAgo: number; place: string; notes: string }[];
  /** What happened after the sessions, each so many days ago. */
  then: { daysAgo: number; command: MediationCommand | 'all_confirm' }[];
}

const CASES: DemoCase[] = [
  {
    village: 0,
    parties: [3, 4],
    title: '宅基地边界纠纷',
    facts: '两户因新砌院墙是否占用对方宅基地发生争执，双方各执一词。',
    openedDaysAgo: 9,
    sessions: [{ daysAgo: 6, place: '村委会调解室', notes: '查看了宅基地证和老界桩，双方同意请镇国土所复核界址后再谈。' }],
    then: [],
  },
  {
    village: 0,
    parties: [7, 8],
    title: '排水沟堵塞引发邻里纠纷',
    facts: '上游一户填平排水沟，雨后下游一户院内积水，双方多次争吵。',
    openedDaysAgo: 41,
    sessions: [
      { daysAgo: 35, place: '当事人家中', notes: '现场查看排水沟，上游户同意考虑恢复，但要求下游户分担费用。' },
      { daysAgo: 20, place: '村委会调解室', notes: '费用分担意见差距较大，约定再次调解。' },
    ],
    then: [],
  },
  {
    village: 1,
    parties: [2, 5],
    title: '养殖异味纠纷',
    facts: '一户在房后养猪，邻户反映气味和污水影响生活。',
    openedDaysAgo: 18,
    sessions: [{ daysAgo: 12, place: '村委会调解室', notes: '养殖户同意搬迁猪圈并清理污水，邻户同意给予一个月时间。' }],
    then: [{ daysAgo: 2, command: { type: 'agree', text: '养殖户于下月底前将猪圈迁至村外养殖小区，期间每日清理污水；邻户不再就此事投诉。' } }],
  },
  {
    village: 1,
    parties: [9, '外村 赵某'],
    title: '借款纠纷',
    facts: '外村赵某借本村村民两万元未按约定归还。',
    openedDaysAgo: 70,
    sessions: [{ daysAgo: 60, place: '村委会调解室', notes: '赵某承认借款，称经营困难，请求分期归还。' }],
    then: [
      { daysAgo: 55, command: { type: 'agree', text: '赵某分四个月还清两万元，每月月底还五千元。' } },
      { daysAgo: 54, command: 'all_confirm' },
      { daysAgo: 20, command: { type: 'follow_up', kept: true } },
    ],
  },
  {
    village: 2,
    parties: [1, 6],
    title: '土地承包经营权纠纷',
    facts: '两户对一块承包地的地头归属有争议，影响春耕。',
    openedDaysAgo: 150,
    sessions: [{ daysAgo: 140, place: '田间地头', notes: '对照承包合同和地块图丈量，双方认可测量结果。' }],
    then: [
      { daysAgo: 138, command: { type: 'agree', text: '按合同图纸重新埋设界桩，争议地头归六号户，六号户补偿一号户当季青苗费三百元。' } },
      { daysAgo: 137, command: 'all_confirm' },
      { daysAgo: 105, command: { type: 'follow_up', kept: true } },
      { daysAgo: 45, command: { type: 'follow_up', kept: true } },
    ],
  },
  {
    village: 2,
    parties: [10, 11, 12],
    title: '赡养纠纷',
    facts: '三兄弟对老母亲的赡养费用分担意见不一，老人生活费无着落。',
    openedDaysAgo: 60,
    sessions: [
      { daysAgo: 50, place: '村委会调解室', notes: '老大、老三同意每月各出五百元，老二以收入低为由拒绝。' },
      { daysAgo: 35, place: '老人家中', notes: '再次调解，老二仍不同意，老人表示愿意起诉。' },
    ],
    then: [{ daysAgo: 30, command: { type: 'refer', court: '清河县人民法院', reason: '两次调解，二儿子仍拒绝承担赡养费用，老人要求起诉。' } }],
  },
];

/** Seeds the mediators and the cases (nothing when there are cases already); returns the cases written. */
export async function seedDemoMediation(database: Database, options: { now: Date; rules: MediationRules }): Promise<number> {
  const { db } = database;
  if ((await db.mediationCase.count()) > 0) return 0;
  const staff = await db.person.findFirst({ where: { roles: { some: { role: 'dispatcher' } } }, orderBy: { id: 'asc' } });
  if (!staff) return 0;
  const villages: { id: number; code: string; mediatorId: number }[] = [];
  for (const v of VILLAGES) {
    const [region, mediator] = await Promise.all([db.region.findUnique({ where: { code: v.village } }), db.person.findUnique({ where: { code: v.mediator } })]);
    if (!region || !mediator) return 0;
    await db.personRole.create({ data: { personId: mediator.id, role: 'mediator', regionId: region.id, scopeKey: `${mediator.code}|mediator|${region.code}` } });
    villages.push({ id: region.id, code: region.code, mediatorId: mediator.id });
  }
  const ago = (days: number) => new Date(options.now.getTime() - days * DAY);
  const outboxBefore = await outboxMark(db);
  for (const demo of CASES) {
    const village = villages[demo.village]!;
    const parties = [];
    for (const p of demo.parties) {
      if (typeof p === 'string') {
        parties.push({ name: p });
        continue;
      }
      const person = await db.person.findUniqueOrThrow({ where: { code: `R-${village.code}-H${String(p).padStart(3, '0')}` }, select: { id: true, name: true } });
      parties.push({ personId: person.id, name: person.name });
    }
    const id = await openMediationCase(
      db,
      { regionId: village.id, title: demo.title, facts: demo.facts, mediatorId: village.mediatorId, parties },
      staff.id,
      ago(demo.openedDaysAgo),
      options.rules,
    );
    for (const s of demo.sessions) {
      await addMediationSession(
        db,
        id,
        { heldOn: localDateOf(ago(s.daysAgo)), place: s.place, attendees: '双方当事人、村调委会', notes: s.notes },
        village.mediatorId,
        ago(s.daysAgo),
      );
    }
    for (const step of demo.then) {
      if (step.command !== 'all_confirm') {
        await staffChangeMediationCase(db, id, step.command, staff.id, ago(step.daysAgo));
        continue;
      }
      for (const party of await db.mediationParty.findMany({ where: { caseId: id }, orderBy: { id: 'asc' } }))
        await staffChangeMediationCase(db, id, { type: 'answer', partyId: party.id, confirmed: true }, staff.id, ago(step.daysAgo));
    }
  }
  // As the demo history's: the pushes of the past count as delivered when written, so that
  // none reaches a demo resident who binds a chat later.
  await deliveredAsWritten(db, outboxBefore);
  return CASES.length;
}

/**
 * Synthetic tickets for the statistics benchmark (`npm run bench:stats`): any number of
 * requests spread over a span of days before `now`, placed in the households, villages,
 * grids and departments of the database's organisation (the demo county), each with a
 * plausible history already lived: dispatch, 签收 (some late, some lapsed), returns,
 * escalations, extensions, 办结 on time or late, callbacks with ratings, reopens,
 * withdrawals, merged duplicates, and the open backlog of the last weeks with its
 * overdue tail. Only Ticket rows are written (no events, timers or messages): the
 * statistics and the queue read tickets alone. Deterministic for a given seed.
 *
 * Deadlines are approximated in calendar time (a working day ≈ 1.4 days); the figures
 * need plausible proportions, not the holiday calendar.
 */
import { type Db, sqlOf } from '../db/client.js';
import { bulkInsert, type SqlValue } from '../db/bulk-insert.js';
import { seededRandom } from '../org/demo-data.js';
import { localDateOf } from '../pipeline/calendar.js';
import type { TicketState } from '../pipeline/states.js';
import { keywordsOf } from '../stats/keywords.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface SyntheticOptions {
  tickets: number;
  /** The present: no ticket is received or changed after it. */
  now: Date;
  /** Days before `now` the tickets are spread over. */
  days: number;
  seed?: number;
  /** Rows per INSERT batch (memory is bounded by it). */
  batchRows?: number;
  onProgress?: (written: number) => void;
}

/** Request texts per category: summary, and a description some requests add. */
const TEXTS: Record<string, [string, string][]> = {
  road: [
    ['村口道路坑洼不平', '下雨天积水，电动车经过容易摔倒'],
    ['桥面护栏松动', '小孩上学每天经过，存在安全隐患'],
    ['路边杂草挡住视线', '转弯处看不到来车'],
    ['公交站牌被撞坏', '老人等车不知道站点'],
  ],
  water: [
    ['自来水停水两天', '家里老人做饭洗衣都不方便'],
    ['水管破裂漏水', '巷子里到处是水，冬天结冰路滑'],
    ['自来水浑浊有异味', '烧开后有沉淀，不敢喝'],
    ['排水沟堵塞', '下雨时污水漫到院子里'],
  ],
  power: [
    ['村口的路灯坏了好几天', '晚上路过很黑，希望尽快修好'],
    ['家里经常停电', '冰箱里的东西都坏了'],
    ['电线杆倾斜', '大风天担心倒下砸到人'],
    ['电压不稳灯泡闪烁', '电器容易烧坏'],
  ],
  sanitation: [
    ['垃圾桶满了没人清运', '天热有臭味，苍蝇很多'],
    ['河道漂浮垃圾', '影响村容村貌'],
    ['公厕没人打扫', '气味很大'],
    ['有人乱倒建筑垃圾', '堆在路边占道'],
  ],
  safety: [
    ['夜里有人偷电动车', '已经丢了好几辆，希望加强巡逻'],
    ['楼道堆放杂物', '存在消防隐患'],
    ['村里有陌生人推销保健品', '老人容易上当受骗'],
    ['烟花爆竹违规燃放', '晚上吵得睡不着'],
  ],
  dispute: [
    ['邻居占用宅基地', '多次协商没有结果，请村里调解'],
    ['宅基地边界纠纷', '双方各执一词'],
    ['土地流转租金纠纷', '承包方拖欠租金'],
    ['家庭赡养纠纷', '子女不愿赡养老人'],
  ],
  welfare: [
    ['申请低保需要什么材料', '家里有重病患者，收入很低'],
    ['养老金没有按时到账', '这个月还没有收到'],
    ['残疾证办理进度', '材料交了一个月了'],
    ['医保报销比例咨询', '住院费用报销了多少'],
  ],
  health: [
    ['村卫生室经常没人', '老人看病要跑很远'],
    ['疫苗接种时间咨询', '孩子该打第二针了'],
    ['家庭医生签约服务', '想了解怎么签约'],
  ],
  education: [
    ['孩子上学校车接送', '路远，希望增加校车'],
    ['学校收费咨询', '这学期多收了资料费'],
    ['留守儿童课后托管', '家长外出务工没人照看'],
  ],
  housing: [
    ['危房改造申请', '房子墙体开裂，下雨漏水'],
    ['危房改造补贴进度', '申请半年了还没消息'],
    ['自建房审批咨询', '想翻建老房子'],
  ],
  agriculture: [
    ['耕地地力保护补贴没发', '去年的补贴还没到账'],
    ['农资价格上涨', '化肥比去年贵很多'],
    ['养殖场污水直排', '附近的水塘都臭了'],
    ['土地承包合同续签', '合同到期了怎么办'],
  ],
  employment: [
    ['想参加技能培训', '有没有免费的电工培训'],
    ['工资被拖欠', '在工地干了三个月没拿到工资'],
    ['创业贷款咨询', '想开个农家乐'],
  ],
  governance: [
    ['村务公开不及时', '集体收入支出没有公布'],
    ['村干部工作作风', '办事推诿，态度不好'],
    ['村集体资产出租', '出租价格不透明'],
  ],
  other: [
    ['咨询办事流程', '不知道找哪个部门'],
    ['意见建议', '希望村里多组织文化活动'],
  ],
};

/** How often each category is reported (relative weights). */
const CATEGORY_WEIGHTS: Record<string, number> = {
  road: 14,
  water: 12,
  power: 13,
  sanitation: 14,
  safety: 6,
  dispute: 7,
  welfare: 9,
  health: 5,
  education: 4,
  housing: 4,
  agriculture: 6,
  employment: 3,
  governance: 2,
  other: 1,
};

const KINDS = ['help', 'complaint', 'inquiry', 'suggestion', 'dispute'] as const;

/** Log-normal draws: most near the median, a long tail (how handling times spread). */
function logNormal(rand: () => number, median: number, sigma: number): number {
  const u = Math.max(rand(), 1e-12);
  const gaussian = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  return median * Math.exp(sigma * gaussian);
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error('synthetic: nothing to pick from');
  return item;
}

interface Category {
  code: string;
  handlingClass: string;
  resolveDays: number;
  resolveHours: number;
  acceptHours: number;
  departmentKind: string;
}

interface Place {
  regionId: number;
  townshipId: number;
  householdId: number | null;
  gridId: number | null;
  liaisonId: number | null;
  residentIds: number[];
}

/** The organisation the tickets are placed in. */
async function loadOrganisation(db: Db) {
  const regions = await db.region.findMany({ select: { id: true, parentId: true, level: true } });
  const households = await db.household.findMany({
    select: {
      id: true,
      regionId: true,
      pairing: { select: { liaisonId: true } },
      grids: { select: { grid: { select: { id: true, kind: true } } } },
      members: { select: { id: true } },
    },
  });
  const departments = await db.department.findMany({ select: { id: true, regionId: true, kind: true } });
  const categories: Category[] = await db.category.findMany({
    select: { code: true, handlingClass: true, resolveDays: true, resolveHours: true, acceptHours: true, departmentKind: true },
  });
  const parentOf = new Map(regions.map((r) => [r.id, r.parentId]));
  const places: Place[] = households
    .filter((h) => h.members.length > 0)
    .map((h) => ({
      regionId: h.regionId,
      townshipId: parentOf.get(h.regionId) ?? h.regionId,
      householdId: h.id,
      gridId: h.grids.find((g) => g.grid.kind === 'geographic')?.grid.id ?? h.grids[0]?.grid.id ?? null,
      liaisonId: h.pairing?.liaisonId ?? null,
      residentIds: h.members.map((m) => m.id),
    }));
  if (!places.length || !categories.length) throw new Error('synthetic: the database has no households or categories (seed the demo county first)');
  const townships = [...new Set(places.map((p) => p.townshipId))];
  const residentsOf = new Map(townships.map((t) => [t, places.filter((p) => p.townshipId === t).flatMap((p) => p.residentIds)]));
  const departmentAt = new Map(departments.map((d) => [`${d.regionId}|${d.kind}`, d.id]));
  return { places, townships, residentsOf, departmentAt, categories };
}

/** Texts with their words cut once (jieba), shared by every ticket that uses them. */
async function textsWithKeywords(): Promise<Map<string, { summary: string; description: string; keywords: string }[]>> {
  const result = new Map<string, { summary: string; description: string; keywords: string }[]>();
  for (const [code, texts] of Object.entries(TEXTS)) {
    result.set(code, await Promise.all(texts.map(async ([summary, description]) => ({ summary, description, keywords: await keywordsOf(summary, description) }))));
  }
  return result;
}

/** Receipt times, oldest first: more on working hours and weekdays, slowly growing. */
function receiptTimes(rand: () => number, count: number, now: number, days: number): Float64Array {
  const times = new Float64Array(count);
  const span = days * DAY;
  for (let i = 0; i < count;) {
    const t = now - rand() * span;
    const local = new Date(t + 8 * HOUR);
    const hour = local.getUTCHours();
    const weekday = local.getUTCDay();
    let weight = hour >= 8 && hour < 18 ? 1 : hour >= 6 && hour < 22 ? 0.35 : 0.05;
    if (weekday === 0 || weekday === 6) weight *= 0.6;
    weight *= 0.7 + 0.3 * ((t - (now - span)) / span);
    if (rand() < weight) times[i++] = t;
  }
  return times.sort();
}

const COLUMNS = [
  'number',
  'state',
  'kind',
  'categoryCode',
  'handlingClass',
  'summary',
  'description',
  'keywords',
  'residentId',
  'householdId',
  'regionId',
  'gridId',
  'handlingRegionId',
  'level',
  'assigneeId',
  'assigneeDepartmentId',
  'acceptBy',
  'resolveBy',
  'callbackBy',
  'pausedAt',
  'resumeState',
  'supervised',
  'overdue',
  'returnCount',
  'escalationCount',
  'reopenCount',
  'extensionCount',
  'rating',
  'solved',
  'acceptedAt',
  'resolvedAt',
  'closedAt',
  'createdAt',
  'updatedAt',
  'mergedIntoId',
  'acceptMinutes',
  'acceptedOnTime',
  'resolveMinutes',
  'resolvedOnTime',
  'callbackRating',
  'callbackSolved',
] as const;

type Row = Record<(typeof COLUMNS)[number], SqlValue>;

/**
 * Writes `options.tickets` synthetic tickets (ids follow receipt time) and returns how
 * many were written. The database must hold an organisation with households and the
 * categories (e.g. the demo county) and no tickets numbered like these yet.
 */
export async function generateTickets(db: Db, options: SyntheticOptions): Promise<number> {
  const rand = seededRandom(options.seed ?? 20_261_120);
  const now = options.now.getTime();
  const org = await loadOrganisation(db);
  const texts = await textsWithKeywords();
  const categoryPool: Category[] = [];
  for (const category of org.categories) {
    for (let w = 0; w < (CATEGORY_WEIGHTS[category.code] ?? 1); w++) categoryPool.push(category);
  }
  const times = receiptTimes(rand, options.tickets, now, options.days);
  const firstId = ((await db.ticket.aggregate({ _max: { id: true } }))._max.id ?? 0) + 1;
  const counters = new Map<string, number>();
  const batchRows = options.batchRows ?? 20_000;
  let batch: Row[] = [];
  const { dialect } = sqlOf(db);
  let written = 0;

  for (let i = 0; i < times.length; i++) {
    const created = times[i] as number;
    const township = rand() < 0.08;
    const place = township ? null : pick(rand, org.places);
    const townshipId = place ? place.townshipId : pick(rand, org.townships);
    const category = pick(rand, categoryPool);
    const text = pick(rand, texts.get(category.code) ?? [{ summary: '其他诉求', description: '', keywords: '' }]);
    const departmentId = org.departmentAt.get(`${townshipId}|${category.departmentKind}`) ?? null;
    const year = localDateOf(new Date(created)).slice(0, 4);
    const seq = (counters.get(year) ?? 0) + 1;
    counters.set(year, seq);

    // Deadlines in calendar time: promised N working days ≈ 1.4 N days.
    const acceptWindow = category.handlingClass === 'promised' ? 1.4 * DAY : category.acceptHours * HOUR;
    const resolveWindow =
      category.handlingClass === 'urgent' ? category.resolveHours * HOUR : category.handlingClass === 'immediate' ? 10 * HOUR : category.resolveDays * 1.4 * DAY;
    const resolveMedian = category.handlingClass === 'urgent' ? 8 * HOUR : category.handlingClass === 'immediate' ? 4 * HOUR : resolveWindow * 0.35;

    // Routing: the household's liaison mostly, else the category's department, else the dispatchers.
    const toLiaison = place?.liaisonId != null && rand() < 0.82;
    let assigneeId: number | null = toLiaison ? (place?.liaisonId ?? null) : null;
    let assigneeDepartmentId: number | null = toLiaison ? null : rand() < 0.9 ? departmentId : null;
    let level = toLiaison ? 'village' : 'township';
    let handlingRegionId = toLiaison ? (place?.regionId ?? townshipId) : townshipId;
    const residents = place ? place.residentIds : (org.residentsOf.get(townshipId) ?? []);

    let state: TicketState;
    let last: number;
    let acceptBy: number | null = created + acceptWindow;
    let resolveBy: number | null = created + resolveWindow;
    let callbackBy: number | null = null;
    let pausedAt: number | null = null;
    let resumeState: string | null = null;
    let supervised = false;
    let overdue = false;
    let returnCount = 0;
    let escalationCount = 0;
    let reopenCount = 0;
    let extensionCount = 0;
    let rating: string | null = null;
    let solved: boolean | null = null;
    let acceptedAt: number | null = null;
    let resolvedAt: number | null = null;
    let closedAt: number | null = null;
    let mergedIntoId: number | null = null;
    let acceptMinutes: number | null = null;
    let acceptedOnTime: boolean | null = null;
    let resolveMinutes: number | null = null;
    let resolvedOnTime: boolean | null = null;
    let callbackRating: string | null = null;
    let callbackSolved: boolean | null = null;

    const roll = rand();
    if (roll < 0.012 && i > 0) {
      // A duplicate of a recent request, merged within hours.
      state = 'merged';
      mergedIntoId = firstId + Math.max(0, i - 1 - Math.floor(rand() * 50));
      closedAt = Math.min(now, created + logNormal(rand, 3 * HOUR, 1));
      last = closedAt;
    } else {
      // Unassigned requests wait for a dispatcher; a return or an escalation means a new handler and a new 签收 window.
      let dispatchAt = created;
      if (assigneeId === null && assigneeDepartmentId === null) {
        dispatchAt = created + logNormal(rand, 2 * HOUR, 1.2);
        assigneeDepartmentId = departmentId;
      }
      const returned = rand() < 0.04;
      const escalated = !returned && rand() < 0.025;
      let acceptAt = dispatchAt + logNormal(rand, 80 * MIN, 1.4);
      let lapsed = false;
      if (returned || escalated) {
        const handBack = dispatchAt + logNormal(rand, 3 * HOUR, 1);
        lapsed = handBack > (acceptBy ?? Infinity);
        const redispatch = handBack + logNormal(rand, 2 * HOUR, 1);
        if (returned) returnCount = 1;
        else {
          escalationCount = 1;
          resolveBy = redispatch + resolveWindow;
        }
        assigneeId = null;
        assigneeDepartmentId = departmentId;
        level = 'township';
        handlingRegionId = townshipId;
        acceptBy = redispatch + acceptWindow;
        acceptAt = redispatch + logNormal(rand, 80 * MIN, 1.4);
      }
      const withdrawn = rand() < 0.02;
      const withdrawAt = created + logNormal(rand, 20 * HOUR, 1.5);
      if (withdrawn && withdrawAt < acceptAt && withdrawAt <= now) {
        state = 'withdrawn';
        closedAt = withdrawAt;
        last = withdrawAt;
        if (lapsed || (acceptBy !== null && acceptBy < withdrawAt)) acceptedOnTime = false;
      } else if (acceptAt > now || dispatchAt > now) {
        state = dispatchAt > now ? 'received' : returned && acceptAt > now && rand() < 0.3 ? 'returned' : 'dispatched';
        if (state !== 'dispatched') {
          // Waiting for a dispatcher: nobody handles it yet.
          assigneeDepartmentId = null;
          assigneeId = null;
        }
        if (state === 'dispatched' && (lapsed || (acceptBy !== null && acceptBy < now))) acceptedOnTime = false;
        overdue = resolveBy !== null && resolveBy < now;
        supervised = overdue;
        last = Math.min(now, Math.max(created, dispatchAt));
      } else {
        acceptedAt = acceptAt;
        acceptMinutes = Math.floor((acceptAt - created) / MIN);
        acceptedOnTime = !lapsed && acceptAt <= (acceptBy ?? Infinity);
        if (rand() < 0.03) {
          extensionCount = 1;
          resolveBy = (resolveBy ?? acceptAt) + 3 * 1.4 * DAY;
        }
        const resolveAt = acceptAt + logNormal(rand, resolveMedian, 0.9);
        if (resolveAt > now) {
          const r = rand();
          state = r < 0.7 ? 'in_progress' : r < 0.9 ? 'accepted' : r < 0.95 ? 'awaiting_resident' : 'extension_requested';
          if (state === 'awaiting_resident') {
            pausedAt = Math.min(now, acceptAt + (now - acceptAt) * rand());
            resumeState = 'in_progress';
          }
          if (state === 'extension_requested') resumeState = 'in_progress';
          overdue = resolveBy !== null && resolveBy < now;
          supervised = overdue;
          last = Math.min(now, acceptAt + (now - acceptAt) * 0.5);
        } else {
          resolvedAt = resolveAt;
          resolveMinutes = Math.floor((resolveAt - created) / MIN);
          resolvedOnTime = resolveAt <= (resolveBy ?? Infinity);
          overdue = !resolvedOnTime;
          supervised = overdue;
          callbackBy = resolveAt + 4.2 * DAY;
          const callbackAt = resolveAt + logNormal(rand, 8 * HOUR, 1.2);
          const r = rand();
          const answer = r < 0.72 ? 'satisfied' : r < 0.91 ? 'basically_satisfied' : r < 0.95 ? 'dissatisfied' : null;
          if (answer === null) {
            // Nobody answered: the callback times out and the ticket closes by itself.
            if (callbackBy <= now) {
              state = 'closed';
              closedAt = callbackBy;
              last = callbackBy;
            } else {
              state = 'resolved';
              last = resolveAt;
            }
          } else if (callbackAt > now) {
            state = 'resolved';
            last = resolveAt;
          } else if (answer !== 'dissatisfied') {
            state = 'closed';
            rating = answer;
            solved = rand() < 0.97;
            callbackRating = rating;
            callbackSolved = solved;
            closedAt = callbackAt;
            last = callbackAt;
          } else {
            // 不满意 reopens it with a fresh clock; most are redone and rated again.
            reopenCount = 1;
            callbackRating = 'dissatisfied';
            callbackSolved = false;
            acceptBy = callbackAt + acceptWindow;
            resolveBy = callbackAt + resolveWindow;
            overdue = false;
            callbackBy = null;
            resolvedAt = null;
            const again = callbackAt + logNormal(rand, resolveMedian * 1.5, 0.9);
            if (again > now) {
              state = rand() < 0.3 ? 'reopened' : 'in_progress';
              if (state === 'in_progress') acceptedAt = callbackAt + HOUR;
              overdue = resolveBy < now;
              supervised = overdue;
              last = callbackAt;
            } else {
              acceptedAt = callbackAt + HOUR;
              resolvedAt = again;
              const secondAnswer = rand() < 0.75 ? 'satisfied' : 'basically_satisfied';
              const closeAt = again + logNormal(rand, 8 * HOUR, 1);
              if (closeAt > now) {
                state = 'resolved';
                callbackBy = again + 4.2 * DAY;
                last = again;
              } else {
                state = 'closed';
                rating = secondAnswer;
                solved = true;
                callbackRating = secondAnswer;
                callbackSolved = true;
                closedAt = closeAt;
                last = closeAt;
              }
            }
          }
        }
      }
    }

    const iso = (t: number | null) => (t === null ? null : new Date(t));
    batch.push({
      number: `MQ-${year}-${String(seq).padStart(6, '0')}`,
      state,
      kind: pick(rand, KINDS),
      categoryCode: category.code,
      handlingClass: category.handlingClass,
      summary: text.summary,
      description: rand() < 0.6 ? text.description : '',
      keywords: text.keywords,
      residentId: pick(rand, residents),
      householdId: place?.householdId ?? null,
      regionId: place?.regionId ?? townshipId,
      gridId: place?.gridId ?? null,
      handlingRegionId,
      level,
      assigneeId,
      assigneeDepartmentId,
      acceptBy: iso(acceptBy),
      resolveBy: iso(resolveBy),
      callbackBy: iso(callbackBy),
      pausedAt: iso(pausedAt),
      resumeState,
      supervised,
      overdue,
      returnCount,
      escalationCount,
      reopenCount,
      extensionCount,
      rating,
      solved,
      acceptedAt: iso(acceptedAt),
      resolvedAt: iso(resolvedAt),
      closedAt: iso(closedAt),
      createdAt: new Date(created),
      updatedAt: new Date(Math.max(created, Math.min(last, now))),
      mergedIntoId,
      acceptMinutes,
      acceptedOnTime,
      resolveMinutes,
      resolvedOnTime,
      callbackRating,
      callbackSolved,
    });
    if (batch.length >= batchRows || i === times.length - 1) {
      const rows = batch;
      batch = [];
      await db.$transaction(
        async (tx) => {
          written += await bulkInsert(tx, dialect, 'Ticket', COLUMNS, rows);
        },
        { timeout: 120_000 },
      );
      options.onProgress?.(written);
    }
  }
  // Readable numbers continue after the synthetic ones.
  for (const [year, last] of counters) {
    await db.ticketCounter.upsert({ where: { year: Number(year) }, create: { year: Number(year), last }, update: { last } });
  }
  return written;
}

/**
 * Everything the ticket page shows, gathered in one place: the ticket, its whole
 * history (every TicketEvent, with who did it), the messages exchanged (what the outbox
 * sent, and what the resident answered, recorded in events), photos and deadlines.
 *
 * Privacy: staff of the scope work the case, so they see what handling needs and no
 * more. The resident's name is masked (李**) and their phone keeps only its first three
 * and last four digits (139****5678), also where it appears inside a text (a request,
 * a message), here and in every export; the household appears by its code, never its
 * address. Staff (liaisons, handlers, dispatchers) are shown by
 * name: they are colleagues acting in their office.
 */
import type { Db } from '../../db/client.js';
import { render } from '../../engine/i18n.js';
import { maskContacts, maskPhone, residentName, rosterNames, scrub } from '../../privacy.js';
import { ALWAYS_PRIVATE, type BoardMode, boardPolicy } from '../public-board.js';
import type { RouteDecision } from '../../pipeline/machine.js';
import type { Command } from '../../pipeline/model.js';
import { isResidentsWords, isResidentText, TEXT_FIELDS } from '../../pipeline/event-view.js';
import { roleName } from '../format.js';
import { channelText } from '../../stats/channels.js';
import type { Locale } from '../../org/types.js';
import { CALLBACK_FAILURE_NAMES, type TicketState } from '../../pipeline/states.js';
import { heldByDailyCap } from '../../sms/store.js';
import { isOverdue } from './queue.js';
import { inScope, type StaffScope } from './scope.js';
import { loadRegions } from '../../org/regions.js';
import { decidingMeetingTitle } from '../../meetings/decisions.js';
import { hasResidentToAnswer } from '../../pipeline/requester.js';

/** One step of the history. */
export interface TimelineEntry {
  seq: number;
  at: Date;
  type: string;
  fromState: TicketState | null;
  toState: TicketState;
  /** Who: a staff name, the masked resident, or the system. */
  actor: string;
  actorRole: string;
  /**
   * The step's details as label → text (reason, note, result, target...). Staff's words
   * say who reads them: `resident` (sent to the resident) or `internal` (staff only); the
   * resident's own words that staff took down (a phone callback's comment) are `said`.
   */
  details: { label: string; text: string; audience?: 'resident' | 'internal' | 'said' }[];
  photos: string[];
}

/** One message exchanged about the ticket. */
/** Said after the reader of a message sent in English (their language setting). */
export const SENT_IN_ENGLISH = '（按其语言设置发英文 in English, their language setting）';

export interface MessageEntry {
  at: Date;
  direction: 'out' | 'in';
  /** Recipient (out) or sender (in), masked when it is the resident. */
  who: string;
  channel: string | null;
  text: string;
  /** sent | waiting | failed for outgoing messages (capped: an SMS held by its number's daily cap until tomorrow); received for incoming ones. */
  status: 'sent' | 'waiting' | 'capped' | 'failed' | 'received';
  photos: string[];
}

export interface TicketView {
  id: number;
  number: string;
  state: TicketState;
  kind: string;
  categoryCode: string;
  category: string;
  handlingClass: string;
  summary: string;
  description: string;
  location: string | null;
  /** Village (or township) and its township, e.g. 清水镇 东湖村. */
  place: string;
  regionId: number;
  grid: string | null;
  householdCode: string | null;
  residentName: string;
  /** Masked (139****5678). */
  residentPhone: string | null;
  /** In full, when this user revealed it (an audited step) in the last few minutes; else null. */
  fullPhone: string | null;
  /** The public board 公示: whether and how the request shows there. */
  board: {
    /** When staff published it, and who; null when not published. */
    publishedAt: Date | null;
    publishedBy: string | null;
    /** What the board shows (or would show): staff's public summary, else the scrubbed summary. */
    summary: string;
    /** Only counted, never shown with text (a dispute, or a category the region keeps private). */
    private: boolean;
    /** The region's mode: manual, or shown after resolution. */
    mode: BoardMode;
  };
  handler: string | null;
  handlingRegion: string;
  level: string;
  createdAt: Date;
  acceptBy: Date | null;
  resolveBy: Date | null;
  callbackBy: Date | null;
  pausedAt: Date | null;
  acceptedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  overdue: boolean;
  supervised: boolean;
  rating: string | null;
  solved: boolean | null;
  counts: { returns: number; escalations: number; reopens: number; extensions: number };
  extensionDays: number | null;
  mergedInto: string | null;
  /** Duplicates merged into this ticket. */
  duplicates: string[];
  timeline: TimelineEntry[];
  messages: MessageEntry[];
  /** Every photo of the case, in order. */
  photos: string[];
}

/** How long a revealed phone number stays shown to the one who revealed it. */
export const PHONE_SHOWN_MS = 10 * 60_000;

/** How a ticket was routed, or how a callback was taken: codes in words (typed: a new route has to be named). */
export const VIA_NAMES: Readonly<Record<RouteDecision['via'] | NonNullable<Extract<Command, { type: 'rate' }>['via']>, string>> = {
  on_the_spot: '当场办结 settled on the spot',
  pairing: '包户网格员 paired liaison',
  grid_leader: '网长 grid leader',
  department: '部门窗口 department',
  none: '群众工作室派单 dispatchers',
  chat: '聊天 chat',
  phone: '电话 phone',
};

/** Reason codes an event may carry (归档 because rated, …) in words: 群众已评价 rated by the resident. */
function reasonName(value: string): string | null {
  try {
    return `${render('zh', `reason.${value}`)} ${render('en', `reason.${value}`)}`;
  } catch {
    return null;
  }
}

/** Event data fields shown as details, with their labels. */
const DETAIL_FIELDS: [string, string][] = [
  ['reason', '原因 reason'],
  ['note', '备注 note'],
  ['result', '结果 result'],
  ['question', '问题 question'],
  ['text', '内容 text'],
  ['comment', '评价留言 comment'],
  ['rating', '评价 rating'],
  ['days', '天数 days'],
  ['into', '合并到 merged into'],
  ['via', '途径 via'],
  ['kind', '类型 kind'],
];

/**
 * What the `text` of an event is, by its type: a staff note is 内部备注 (never 补充, which
 * reads as the resident's own addition), a reply 答复群众; the resident's words 补充.
 */
const TEXT_LABELS: Record<string, string> = {
  noted: '内部备注 internal note',
  replied: '答复群众 reply to the resident',
  info_supplied: '补充 supplied',
};

/** The label of an event's data field on the page and in the CSV. */
function detailLabel(type: string, field: string, label: string): string {
  return (field === 'text' ? TEXT_LABELS[type] : undefined) ?? label;
}

const RATING_NAMES: Record<string, string> = { satisfied: '满意 satisfied', basically_satisfied: '基本满意 basically satisfied', dissatisfied: '不满意 dissatisfied' };

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function parseList(text: string): string[] {
  try {
    return stringList(JSON.parse(text));
  } catch {
    return [];
  }
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function textOf(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * The ticket numbered `number` as the page shows it, or null when there is no such
 * ticket or it lies outside the user's scope (the two are not told apart).
 */
export async function loadTicketView(db: Db, scope: StaffScope, number: string, now: Date = new Date()): Promise<TicketView | null> {
  if (!/^[A-Za-z]{1,6}-\d{4}-\d{1,9}$/.test(number)) return null;
  const t = await db.ticket.findUnique({
    where: { number: number.toUpperCase() },
    include: {
      category: true,
      region: { include: { parent: true } },
      grid: true,
      household: { select: { code: true } },
      resident: { select: { id: true, code: true, name: true, phone: true, householdId: true } },
      assignee: { select: { name: true } },
      assigneeDepartment: { select: { name: true } },
      handlingRegion: { select: { name: true } },
      events: { orderBy: { seq: 'asc' } },
      outbox: { orderBy: { id: 'asc' }, include: { recipient: { select: { id: true, name: true, locale: true } } } },
    },
  });
  if (!t || !inScope(scope, t)) return null;
  const [mergedInto, duplicates, audits] = await Promise.all([
    t.mergedIntoId === null ? null : db.ticket.findUnique({ where: { id: t.mergedIntoId }, select: { number: true } }),
    db.ticket.findMany({ where: { mergedIntoId: t.id }, select: { number: true }, orderBy: { id: 'asc' } }),
    db.auditEvent.findMany({ where: { ticketId: t.id }, orderBy: { id: 'asc' } }),
  ]);

  // Names of everyone who acted or was named as a target.
  const personIds = new Set<number>();
  const departmentIds = new Set<number>();
  const events = t.events.map((e) => ({ ...e, parsed: parseJson(e.data) }));
  for (const a of audits) personIds.add(a.actorId);
  if (t.publishedById !== null) personIds.add(t.publishedById);
  for (const e of events) {
    if (e.actorId !== null) personIds.add(e.actorId);
    if (typeof e.parsed['registeredBy'] === 'number') personIds.add(e.parsed['registeredBy']);
    const target = e.parsed['target'];
    if (typeof target === 'object' && target !== null) {
      if ('personId' in target && typeof target.personId === 'number') personIds.add(target.personId);
      if ('departmentId' in target && typeof target.departmentId === 'number') departmentIds.add(target.departmentId);
    }
  }
  const [people, departments] = await Promise.all([
    db.person.findMany({ where: { id: { in: [...personIds] } }, select: { id: true, name: true } }),
    db.department.findMany({ where: { id: { in: [...departmentIds] } }, select: { id: true, name: true } }),
  ]);
  // A meeting's decision has no resident: its residentId is the staff member who recorded
  // it, named as staff; where the resident would be, the meeting is.
  const hasResident = hasResidentToAnswer(t.channel);
  const meeting = hasResident ? null : await decidingMeetingTitle(db, t.id);
  const residentLabel = hasResident ? `群众 resident ${residentName(t.resident)}` : `会议决定：${meeting ?? ''} meeting decision`;
  const isResident = (id: number | null) => hasResident && id === t.residentId;
  const personName = (id: number) => (isResident(id) ? residentLabel : (people.find((p) => p.id === id)?.name ?? `#${id}`));

  const timeline: TimelineEntry[] = events.map((e) => {
    const d = e.parsed;
    const details: { label: string; text: string }[] = [];
    const target = d['target'];
    if (typeof target === 'object' && target !== null) {
      const name =
        'personId' in target && typeof target.personId === 'number'
          ? personName(target.personId)
          : 'departmentId' in target && typeof target.departmentId === 'number'
            ? (departments.find((x) => x.id === target.departmentId)?.name ?? `#${target.departmentId}`)
            : null;
      if (name) details.push({ label: '派给 to', text: name });
    }
    // Staff's words say who reads them; the resident's own words need no such mark.
    const byStaff = !isResident(e.actorId);
    for (const [field, label] of DETAIL_FIELDS) {
      const value = textOf(d[field]);
      if (value === null) continue;
      // A callback staff ended without a rating names why (无法联系 / 拒绝评价) by code.
      const failure = field === 'reason' && e.type === 'callback_timeout' ? Object.entries(CALLBACK_FAILURE_NAMES).find(([code]) => code === value)?.[1] : undefined;
      const shown =
        field === 'rating'
          ? (RATING_NAMES[value] ?? value)
          : field === 'via'
            ? (VIA_NAMES[value as keyof typeof VIA_NAMES] ?? value)
            : failure
              ? `${failure.zh} ${failure.en}`
              : (reasonName(value) ?? maskContacts(value));
      const words = (TEXT_FIELDS as readonly string[]).includes(field) && byStaff && e.actorId !== null;
      details.push({
        label: detailLabel(e.type, field, label),
        text: shown,
        ...(words ? { audience: isResidentsWords(e.type, field) ? ('said' as const) : isResidentText(e.type, field) ? ('resident' as const) : ('internal' as const) } : {}),
      });
    }
    if (e.type === 'received' && typeof d['channel'] === 'string') details.push({ label: '受理渠道 channel', text: channelText(d['channel']) });
    if (typeof d['apiKey'] === 'string') details.push({ label: '经 API 密钥 via API key', text: d['apiKey'] });
    if (typeof d['registeredBy'] === 'number') details.push({ label: '登记人 registered by', text: personName(d['registeredBy']) });
    if (d['onTheSpot'] === true && e.type === 'resolved') details.push({ label: '即办 on the spot', text: '当场办结 settled on the spot' });
    if (e.type === 'recategorised') details.push({ label: '类别 category', text: `${String(d['from'])} → ${String(d['to'])}` });
    if (typeof d['to'] === 'string') details.push({ label: '新时限 new deadline', text: d['to'] });
    if (typeof d['solved'] === 'boolean') details.push({ label: '是否解决 solved', text: d['solved'] ? '已解决 solved' : '未解决 not solved' });
    if (d['late'] === true) details.push({ label: '逾期签收 late', text: '是 yes' });
    if (d['onTime'] === false) details.push({ label: '按时 on time', text: '否 no' });
    return {
      seq: e.seq,
      at: e.at,
      type: e.type,
      fromState: e.fromState as TicketState | null,
      toState: e.toState as TicketState,
      actor: e.actorId === null ? '系统 system' : personName(e.actorId),
      actorRole: roleName(e.actorRole),
      details,
      photos: stringList(d['photos']),
    };
  });
  // Who looked at the resident's full phone number, and when (audited, never hidden).
  for (const a of audits) {
    const summary = textOf(parseJson(a.data)['summary']);
    timeline.push({
      seq: 0,
      at: a.at,
      type: a.action,
      fromState: t.state as TicketState,
      toState: t.state as TicketState,
      actor: personName(a.actorId),
      actorRole: '',
      details: summary === null ? [] : [{ label: '公示摘要 public summary', text: summary }],
      photos: [],
    });
  }
  timeline.sort((x, y) => x.at.getTime() - y.at.getTime() || x.seq - y.seq);

  const messages: MessageEntry[] = [];
  for (const m of t.outbox) {
    const locale: Locale = m.recipient.locale === 'en' ? 'en' : 'zh';
    let text: string;
    try {
      text = render(locale, m.template, parseJson(m.params));
    } catch {
      text = m.template;
    }
    messages.push({
      at: m.createdAt,
      direction: 'out',
      // A ping follows its reader's language (Chinese unless their roster row says en): one sent in English says so,
      // or staff read an English ping to a colleague as a fault.
      who: `${isResident(m.recipient.id) ? residentLabel : m.recipient.name}${locale === 'en' ? SENT_IN_ENGLISH : ''}`,
      channel: m.channel,
      text: maskContacts(text),
      status: m.sentAt ? 'sent' : m.failedAt ? 'failed' : heldByDailyCap(m, now) ? 'capped' : 'waiting',
      photos: parseList(m.media),
    });
  }
  // What the resident said: the request itself, information supplied, the callback answer.
  for (const e of events) {
    if (!isResident(e.actorId) && !(e.type === 'received' && !hasResident)) continue;
    const d = e.parsed;
    const text =
      e.type === 'received'
        ? t.description || t.summary
        : e.type === 'info_supplied'
          ? textOf(d['text'])
          : e.type === 'callback'
            ? [RATING_NAMES[String(d['rating'])] ?? '', textOf(d['comment']) ?? ''].filter(Boolean).join(' · ')
            : e.type === 'withdrawn'
              ? `撤销 withdrawn ${textOf(d['reason']) ?? ''}`.trim()
              : null;
    if (text === null) continue;
    messages.push({
      at: e.at,
      direction: 'in',
      who: residentLabel,
      channel: e.type === 'received' ? textOf(d['channel']) : null,
      text: maskContacts(text),
      status: 'received',
      photos: stringList(d['photos']),
    });
  }
  messages.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.direction === b.direction ? 0 : a.direction === 'in' ? -1 : 1));

  const [regions, names] = await Promise.all([loadRegions(db), rosterNames(db)]);
  const region = regions.get(t.regionId);
  const policy = region ? boardPolicy(regions, region) : { mode: 'manual' as const, privateCategories: [...ALWAYS_PRIVATE] };
  const phone = hasResident ? (t.contactPhone ?? t.resident.phone) : null;
  const revealedAt = audits.filter((a) => a.action === 'phone_revealed' && a.actorId === scope.personId).at(-1)?.at;
  const revealed = revealedAt !== undefined && now.getTime() - revealedAt.getTime() < PHONE_SHOWN_MS;
  return {
    id: t.id,
    number: t.number,
    state: t.state as TicketState,
    kind: t.kind,
    categoryCode: t.categoryCode,
    category: `${t.category.nameZh} ${t.category.nameEn}`,
    handlingClass: t.handlingClass,
    summary: maskContacts(t.summary),
    description: maskContacts(t.description),
    location: t.location === null ? null : maskContacts(t.location),
    place: [t.region.parent?.name, t.region.name].filter(Boolean).join(' '),
    regionId: t.regionId,
    grid: t.grid?.name ?? null,
    householdCode: t.household?.code ?? null,
    residentName: hasResident ? residentName(t.resident) : residentLabel,
    residentPhone: phone ? maskPhone(phone) : null,
    fullPhone: revealed && phone ? phone : null,
    board: {
      publishedAt: t.publishedAt,
      publishedBy: t.publishedById === null ? null : (people.find((p) => p.id === t.publishedById)?.name ?? `#${t.publishedById}`),
      summary: scrub(t.publicSummary ?? t.summary, names),
      private: policy.privateCategories.includes(t.categoryCode),
      mode: policy.mode,
    },
    handler: t.assignee?.name ?? t.assigneeDepartment?.name ?? null,
    handlingRegion: t.handlingRegion.name,
    level: t.level,
    createdAt: t.createdAt,
    acceptBy: t.acceptBy,
    resolveBy: t.resolveBy,
    callbackBy: t.callbackBy,
    pausedAt: t.pausedAt,
    acceptedAt: t.acceptedAt,
    resolvedAt: t.resolvedAt,
    closedAt: t.closedAt,
    overdue: isOverdue(t),
    supervised: t.supervised,
    rating: t.rating,
    solved: t.solved,
    counts: { returns: t.returnCount, escalations: t.escalationCount, reopens: t.reopenCount, extensions: t.extensionCount },
    extensionDays: t.extensionDays,
    mergedInto: mergedInto?.number ?? null,
    duplicates: duplicates.map((d) => d.number),
    timeline,
    messages,
    photos: [...timeline.flatMap((e) => e.photos), ...messages.filter((m) => m.direction === 'out').flatMap((m) => m.photos)].filter((p, i, all) => all.indexOf(p) === i),
  };
}

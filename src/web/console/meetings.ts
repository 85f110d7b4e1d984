/**
 * The meeting rhythm in the console, at /console/meetings: the meetings of the user's
 * regions by region and month; a meeting's page with its agenda, who is expected (and
 * reminded), the record (attendees, guests, minutes) and its decisions, each a ticket, a
 * ledger item or an assignment; its printable agenda and minutes, HTML and PDF. Only the
 * region-scoped roles have it, for the meetings of their regions; any other meeting does
 * not exist for them (404).
 */
import { logger } from '../../log.js';
import { addDecision, type DecisionInput, loadDecisions, markAssignmentDone, MeetingRefused } from '../../meetings/decisions.js';
import { agendaOf, recordMeeting, regenerateAgenda, rosterPeople, setInvited } from '../../meetings/meetings.js';
import { kindsAtOrBelow, type MeetingKind, meetingSettings, saveMeetingRules } from '../../meetings/schedule.js';
import type { PipelineService } from '../../pipeline/service.js';
import { findChromium, PdfBusyError, printPdf } from '../../report/pdf.js';
import { redirect, sendHtml } from '../http.js';
import { ledgerOwners } from '../../ledger/ledger.js';
import { CONSOLE_PATHS } from './layout.js';
import {
  type DecisionForm,
  meetingBody,
  meetingRulesBody,
  type MeetingPageInput,
  meetingsBody,
  type MeetingSummary,
  minutesBody,
  type MinutesInput,
  minutesPdfDocument,
  minutesTitle,
  type RecordForm,
  type RuleLine,
} from './meetings-page.js';
import { documentOf } from '../page.js';
import { categoryNames, regionOptions } from './queue-page.js';
import { subtreeIds } from '../../org/regions.js';
import type { SectionRequest } from './section.js';
import { formId } from './form-numbers.js';

const log = logger('console');

/** A meetings request: a section's, with the pipeline that files a decision's ticket. */
export interface MeetingsRequest extends SectionRequest {
  pipeline: PipelineService;
}

async function listPage(r: MeetingsRequest): Promise<void> {
  const params = r.url.searchParams;
  const regionId = formId(params.get('region'));
  const chosenRegion = regionId !== null && r.scope.regionIds.includes(regionId) ? regionId : undefined;
  const asked = params.get('month') ?? '';
  const month = /^\d{4}-(0[1-9]|1[0-2])$/.test(asked) ? asked : '';
  const inside = chosenRegion === undefined ? r.scope.regionIds : subtreeIds(r.regions, chosenRegion).filter((id) => r.scope.regionIds.includes(id));
  const rows = await r.db.meeting.findMany({
    where: { regionId: { in: inside }, ...(month ? { heldOn: { startsWith: month } } : {}) },
    orderBy: [{ heldOn: 'desc' }, { id: 'asc' }],
    take: 300,
  });
  const counts = await r.db.meetingDecision.groupBy({ by: ['meetingId'], where: { meetingId: { in: rows.map((m) => m.id) } }, _count: { _all: true } });
  const countOf = new Map(counts.map((c) => [c.meetingId, c._count._all]));
  r.page(
    200,
    '会议 Meetings',
    meetingsBody({ meetings: rows.map((m) => summaryOf(r, m, countOf.get(m.id) ?? 0)), regions: regionOptions(r.scope, r.regions), regionId: chosenRegion, month }),
  );
}

type MeetingRow = NonNullable<Awaited<ReturnType<MeetingsRequest['db']['meeting']['findUnique']>>>;

function summaryOf(r: MeetingsRequest, m: MeetingRow, decisions: number): MeetingSummary {
  return {
    id: m.id,
    regionId: m.regionId,
    region: r.regions.get(m.regionId)?.name ?? '',
    kind: m.kind as MeetingKind,
    period: m.period,
    heldOn: m.heldOn,
    recorded: m.recordedAt !== null,
    decisions,
  };
}

const EMPTY_DECISION: DecisionForm = { kind: 'assignment', text: '', category: '', owner: '', deadline: '' };

async function meetingPage(
  r: MeetingsRequest,
  m: MeetingRow,
  options: { status?: number; record?: RecordForm; decision?: DecisionForm; error?: MeetingPageInput['error'] } = {},
): Promise<void> {
  const [roster, owners, attendees, decisions, categories, recorder] = await Promise.all([
    rosterPeople(r.db, r.regions, m.regionId),
    ledgerOwners(r.db, r.regions, m.regionId),
    r.db.meetingAttendee.findMany({ where: { meetingId: m.id } }),
    loadDecisions(r.db, [m.id], r.now),
    categoryNames(r.db),
    m.recordedById === null ? null : r.db.person.findUnique({ where: { id: m.recordedById }, select: { name: true } }),
  ]);
  const byPerson = new Map(attendees.map((a) => [a.personId, a]));
  const done = r.url.searchParams.get('done');
  r.page(
    options.status ?? 200,
    `${m.heldOn} 会议 Meeting`,
    meetingBody({
      meeting: summaryOf(r, m, decisions.length),
      agenda: agendaOf(m),
      agendaAt: m.agendaAt,
      recordedBy: recorder?.name ?? null,
      recordedAt: m.recordedAt,
      people: roster.map((p) => {
        const a = byPerson.get(p.id);
        return { id: p.id, name: p.name, invited: a?.invited ?? false, attended: a?.attended ?? false, reminded: a?.remindedAt != null };
      }),
      departments: owners.departments,
      categories: [...categories].map(([value, label]) => ({ value, label })),
      decisions,
      record: options.record ?? { attendees: attendees.filter((a) => a.attended).map((a) => a.personId), guests: m.guests, minutes: m.minutes },
      decision: options.decision ?? EMPTY_DECISION,
      csrf: r.csrf,
      ...(options.error ? { error: options.error } : {}),
      ...(done && !options.error ? { done } : {}),
    }),
  );
}

function decisionFormOf(form: URLSearchParams): DecisionForm {
  const field = (name: string) => (form.get(name) ?? '').trim();
  return { kind: field('kind'), text: form.get('text') ?? '', category: field('category'), owner: field('owner'), deadline: field('deadline') };
}

function decisionInput(form: DecisionForm): DecisionInput {
  if (form.kind === 'ticket') return { kind: 'ticket', text: form.text, categoryCode: form.category };
  if (form.kind === 'ledger') return { kind: 'ledger', text: form.text, owner: form.owner, deadline: form.deadline };
  return { kind: form.kind as 'assignment', text: form.text, owner: form.owner, deadline: form.deadline };
}

function ids(values: string[]): number[] {
  return values.flatMap((v) => formId(v) ?? []);
}

async function meetingAction(r: MeetingsRequest, m: MeetingRow, what: string, decisionId: number | null): Promise<void> {
  const form = await r.checkedForm();
  if (!form) return;
  const actor = r.scope.personId;
  const record: RecordForm = { attendees: ids(form.getAll('attendee')), guests: form.get('guests') ?? '', minutes: form.get('minutes') ?? '' };
  const decision = decisionFormOf(form);
  try {
    if (what === 'record') await recordMeeting(r.db, r.regions, m.id, record, actor, r.now);
    else if (what === 'invited') await setInvited(r.db, r.regions, m.id, ids(form.getAll('person')), actor, r.now);
    else if (what === 'agenda') await regenerateAgenda(r.db, r.regions, m.id, actor, r.now);
    else if (what === 'decisions' && decisionId !== null) {
      const owned = await r.db.meetingDecision.findUnique({ where: { id: decisionId }, select: { meetingId: true } });
      if (owned?.meetingId !== m.id) return r.notFound();
      await markAssignmentDone(r.db, decisionId, actor, r.now);
    } else {
      await addDecision(
        { db: r.db, regions: r.regions, pipeline: r.pipeline, actorId: actor, now: r.now },
        { id: m.id, regionId: m.regionId, kind: m.kind as MeetingKind, heldOn: m.heldOn },
        decisionInput(decision),
      );
    }
    log.info({ account: r.scope.accountId, meeting: m.id, what }, 'meeting changed');
  } catch (error) {
    if (!(error instanceof MeetingRefused)) throw error;
    const current = (await r.db.meeting.findUnique({ where: { id: m.id } }))!;
    const which = decisionId !== null ? 'done' : what === 'decisions' ? 'decision' : (what as 'record' | 'invited' | 'agenda');
    return meetingPage(r, current, {
      status: 422,
      error: { form: which, message: error.message },
      ...(what === 'record' ? { record } : {}),
      ...(what === 'decisions' && decisionId === null ? { decision } : {}),
    });
  }
  redirect(r.res, `${CONSOLE_PATHS.meetings}/${m.id}?done=${decisionId !== null ? 'done' : what}`);
}

/** What a meeting's print shows: its agenda, and its minutes once recorded. */
async function printable(r: MeetingsRequest, m: MeetingRow): Promise<MinutesInput> {
  const [attendees, decisions] = await Promise.all([
    r.db.meetingAttendee.findMany({ where: { meetingId: m.id, attended: true }, select: { personId: true } }),
    loadDecisions(r.db, [m.id], r.now),
  ]);
  const people = await r.db.person.findMany({ where: { id: { in: attendees.map((a) => a.personId) } }, select: { name: true }, orderBy: { id: 'asc' } });
  return {
    meeting: summaryOf(r, m, decisions.length),
    agenda: agendaOf(m),
    attendees: people.map((p) => p.name),
    guests: m.guests,
    minutes: m.minutes,
    decisions,
    printedAt: r.now,
  };
}

async function sendPdf(r: MeetingsRequest, m: MeetingRow): Promise<void> {
  const chromium = findChromium();
  if (!chromium) {
    sendHtml(r.res, 503, '<!doctype html><meta charset="utf-8"><p>本机没有 Chromium，无法生成 PDF，请打印网页版。 No Chromium here: print the HTML page.</p>');
    return;
  }
  let pdf: Buffer;
  try {
    pdf = await printPdf(minutesPdfDocument(await printable(r, m)), chromium);
  } catch (error) {
    if (!(error instanceof PdfBusyError)) throw error;
    r.res.setHeader('retry-after', '10');
    sendHtml(
      r.res,
      503,
      '<!doctype html><meta charset="utf-8"><p>服务器正在生成其他 PDF，请稍后再试，或打印网页版。 The server is printing other PDFs: try again shortly, or print the HTML page.</p>',
    );
    return;
  }
  r.res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length, 'content-disposition': `inline; filename="meeting-${m.id}.pdf"` });
  r.res.end(pdf);
}

/** A region's meeting settings (a region of the user's), and saving them. */
async function settingsPage(r: MeetingsRequest): Promise<void> {
  const asked = formId(r.url.searchParams.get('region'));
  // Another region's settings do not exist for the user.
  const regionId = asked === null ? r.scope.topRegions[0]?.id : r.scope.regionIds.includes(asked) ? asked : undefined;
  const region = regionId === undefined ? undefined : r.regions.get(regionId);
  if (!region) {
    r.req.resume();
    return r.notFound();
  }
  const kinds = kindsAtOrBelow(region.level);
  let problems: string[] = [];
  let typed: Map<MeetingKind, { day: string; leadDays: string }> | undefined;
  if (r.req.method === 'POST') {
    const form = await r.checkedForm();
    if (!form) return;
    const forms = kinds.map((kind) => ({ kind, day: form.get(`day-${kind}`) ?? '', leadDays: form.get(`lead-${kind}`) ?? '' }));
    problems = await saveMeetingRules(r.db, region.id, forms, r.scope.personId, r.now);
    if (!problems.length) return redirect(r.res, `${CONSOLE_PATHS.meetings}/settings?region=${region.id}&saved=1`);
    typed = new Map(forms.map((f) => [f.kind, f]));
  }
  const own = new Map((await r.db.meetingRule.findMany({ where: { regionId: region.id } })).map((rule) => [rule.kind, rule]));
  const from = (id: number | null) => (id === null ? '默认 default' : id === region.id ? '本级 here' : (r.regions.get(id)?.name ?? ''));
  const lines: RuleLine[] = [];
  for (const kind of kinds) {
    const effective = await meetingSettings(r.db, r.regions, region.id, kind);
    const rule = own.get(kind);
    lines.push({
      kind,
      day: typed?.get(kind)?.day ?? (rule?.day == null ? '' : String(rule.day)),
      leadDays: typed?.get(kind)?.leadDays ?? (rule?.leadDays == null ? '' : String(rule.leadDays)),
      effective: { day: effective.day, leadDays: effective.leadDays, dayFrom: from(effective.dayFrom), leadFrom: from(effective.leadFrom) },
    });
  }
  r.page(
    problems.length ? 422 : 200,
    '会议设置 Meeting settings',
    meetingRulesBody({ regionId: region.id, regions: regionOptions(r.scope, r.regions), lines, csrf: r.csrf, problems, saved: r.url.searchParams.get('saved') === '1' }),
  );
}

/** Serves a path matched by `MEETINGS_ROUTE` (section-routes.ts). */
export async function meetingsRoute(r: MeetingsRequest, match: RegExpExecArray): Promise<void> {
  const [, target, what, decision] = match;
  const post = r.req.method === 'POST';
  if (!r.scope.regionIds.length) {
    r.req.resume();
    return r.notFound();
  }
  if (target === undefined) {
    if (post) {
      r.req.resume();
      return r.notFound();
    }
    return listPage(r);
  }
  if (target === 'settings') {
    if (what !== undefined) {
      r.req.resume();
      return r.notFound();
    }
    return settingsPage(r);
  }
  const meeting = await r.db.meeting.findUnique({ where: { id: Number(target) } });
  const reading = what === undefined || what === 'minutes' || what === 'minutes.pdf';
  // Reading is GET on the meeting (and its print); its actions are POSTs below it.
  if (!meeting || !r.scope.regionIds.includes(meeting.regionId) || post === reading || (decision !== undefined && what !== 'decisions')) {
    r.req.resume();
    return r.notFound();
  }
  if (post) return meetingAction(r, meeting, what!, decision === undefined ? null : Number(decision));
  if (what === 'minutes') {
    // A page of its own, printable, without the console's navigation (as the mediation dossier).
    const print = await printable(r, meeting);
    return sendHtml(r.res, 200, documentOf(minutesTitle(print.meeting), minutesBody(print), '/console/style.css'));
  }
  if (what === 'minutes.pdf') return sendPdf(r, meeting);
  return meetingPage(r, meeting);
}

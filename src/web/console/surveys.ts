/**
 * 服务需求表 in the console: staff of a region compose a survey (questions, audience,
 * schedule), send it, close it, and read its results live; a 双述双评 appraisal is a
 * survey of fixed questions to every paired household. Only the region-scoped roles
 * (dispatchers, supervisors, admins) have surveys, and only their regions' (404 otherwise).
 */
import type { z } from 'zod';
import { type Db, sqlOf } from '../../db/client.js';
import { oneOf } from '../../db/dialect.js';
import { all, defineQuery, first, run } from '../../db/sql.js';
import { localInstant } from '../../pipeline/calendar.js';
import { maskName, rosterNames, scrub } from '../../privacy.js';
import { answerText, MAX_OPTIONS, MAX_QUESTIONS, parseAnswers, type Question, QUESTION_TYPES, questionsSchema } from '../../surveys/questions.js';
import { APPRAISAL_QUESTIONS } from '../../surveys/appraisal.js';
import { audienceSchema, questionsOf, type SurveyKind, type SurveyState, writeSurvey } from '../../surveys/store.js';
import { type StaffScope } from './scope.js';
import { pathOf, type RegionNode } from '../../org/regions.js';

/** Whether the user has surveys: the roles that see a region. */
export function hasSurveys(scope: StaffScope): boolean {
  return scope.regionIds.length > 0;
}

/** One survey in the list. */
export interface SurveyLine {
  id: number;
  title: string;
  kind: SurveyKind;
  status: SurveyState;
  region: string;
  sendAt: Date | null;
  households: number;
  complete: number;
}

/** One survey as its page shows it. */
export interface SurveyView {
  id: number;
  regionId: number;
  title: string;
  titleEn: string;
  kind: SurveyKind;
  status: SurveyState;
  questions: Question[];
  audience: z.output<typeof audienceSchema>;
  sendAt: Date | null;
  sentAt: Date | null;
  remindAfterDays: number;
  remindedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  /**
   * Whether the user owns it (its region is one of theirs) and may send or close it; a
   * survey of a region above theirs is read only, its results those of their own regions.
   */
  manages: boolean;
  /** The regions whose households' answers the user reads; null: all of the survey's. */
  visibleRegionIds: number[] | null;
}

const listQuery = defineQuery('console_survey_list', (db, p: { regionIds: number[]; scopeRegionIds: number[] }, dialect) =>
  db
    .selectFrom('Survey as s')
    .innerJoin('Region as g', 'g.id', 's.regionId')
    .select((eb) => [
      's.id',
      's.regionId',
      's.title',
      's.kind',
      's.status',
      'g.name as region',
      's.sendAt',
      eb.selectFrom('SurveyResponse as r').select(eb.fn.countAll<number>().as('n')).whereRef('r.surveyId', '=', 's.id').as('households'),
      eb.selectFrom('SurveyResponse as r').select(eb.fn.countAll<number>().as('n')).whereRef('r.surveyId', '=', 's.id').where('r.status', '=', 'complete').as('complete'),
    ])
    .where(oneOf(dialect, 's.regionId', p.regionIds))
    .orderBy('s.id', 'desc')
    .limit(200),
);

const surveyQuery = defineQuery('console_survey', (db, p: { id: number }) =>
  db
    .selectFrom('Survey as s')
    .innerJoin('Person as c', 'c.id', 's.createdById')
    .select([
      's.id',
      's.regionId',
      's.title',
      's.titleEn',
      's.kind',
      's.status',
      's.questions',
      's.audience',
      's.sendAt',
      's.sentAt',
      's.remindAfterDays',
      's.remindedAt',
      'c.name as createdBy',
      's.createdAt',
    ])
    .where('s.id', '=', p.id),
);

/** draft → scheduled: the push duty sends it at `sendAt`. */
const scheduleQuery = defineQuery('console_survey_schedule', (db, p: { id: number; sendAt: Date; at: Date }) =>
  db.updateTable('Survey').set({ status: 'scheduled', sendAt: p.sendAt, updatedAt: p.at }).where('id', '=', p.id).where('status', '=', 'draft'),
);

/** A scheduled survey back to a draft, before it goes. */
const unscheduleQuery = defineQuery('console_survey_unschedule', (db, p: { id: number; at: Date }) =>
  db.updateTable('Survey').set({ status: 'draft', sendAt: null, updatedAt: p.at }).where('id', '=', p.id).where('status', '=', 'scheduled'),
);

/** Sent → closed: no more answers are taken. */
const closeQuery = defineQuery('console_survey_close', (db, p: { id: number; at: Date }) =>
  db.updateTable('Survey').set({ status: 'closed', closedAt: p.at, updatedAt: p.at }).where('id', '=', p.id).where('status', '=', 'sent'),
);

/** The responses for the CSV, a batch at a time by id. */
const responseBatchQuery = defineQuery('console_survey_responses', (db, p: { surveyId: number; anyRegion: number; regionIds: number[]; after: number; limit: number }, dialect) =>
  db
    .selectFrom('SurveyResponse as r')
    .innerJoin('Household as h', 'h.id', 'r.householdId')
    .innerJoin('Region as g', 'g.id', 'r.regionId')
    .leftJoin('Person as l', 'l.id', 'r.liaisonId')
    .select(['r.id', 'h.code', 'h.headName', 'g.name as village', 'l.name as liaison', 'r.status', 'r.asked', 'r.filledByLiaison', 'r.completedAt', 'r.answers'])
    .where('r.surveyId', '=', p.surveyId)
    .where((eb) => eb.or([eb(eb.val(p.anyRegion), '=', eb.lit(1)), oneOf(dialect, 'r.regionId', p.regionIds)]))
    .where('r.id', '>', p.after)
    .orderBy('r.id')
    .limit(p.limit),
);

/** The surveys of the user's regions, newest first. */
/** The regions above the user's own: their surveys (a county's) reach the user's households too. */
function regionsAbove(scope: StaffScope, regions: Map<number, RegionNode>): number[] {
  const own = new Set(scope.regionIds);
  return [...new Set(scope.topRegions.flatMap((r) => pathOf(regions, r.id)))].filter((id) => !own.has(id));
}

/** The surveys of the user's regions and of the regions above them, newest first. */
export async function listSurveys(db: Db, scope: StaffScope, regions: Map<number, RegionNode>): Promise<SurveyLine[]> {
  const rows = await all(sqlOf(db), listQuery, { regionIds: [...scope.regionIds, ...regionsAbove(scope, regions)], scopeRegionIds: scope.regionIds });
  const own = new Set(scope.regionIds);
  return rows
    .filter((r) => own.has(r.regionId) || (r.status !== 'draft' && r.status !== 'scheduled'))
    .map((r) => ({ ...r, kind: r.kind as SurveyKind, status: r.status as SurveyState, households: Number(r.households ?? 0), complete: Number(r.complete ?? 0) }));
}

/** Survey `id` if it is of the user's regions or of one above them; null otherwise (as if it did not exist). */
export async function loadSurvey(db: Db, scope: StaffScope, regions: Map<number, RegionNode>, id: number): Promise<SurveyView | null> {
  const row = await first(sqlOf(db), surveyQuery, { id });
  if (!row) return null;
  const manages = scope.regionIds.includes(row.regionId);
  // Another region's draft is its own business until it is sent.
  if (!manages && (!regionsAbove(scope, regions).includes(row.regionId) || row.status === 'draft' || row.status === 'scheduled')) return null;
  return {
    ...row,
    manages,
    visibleRegionIds: manages ? null : scope.regionIds,
    kind: row.kind as SurveyKind,
    status: row.status as SurveyState,
    questions: questionsOf(row.questions),
    audience: audienceSchema.parse(JSON.parse(row.audience)),
  };
}

/** What the compose form holds, as typed (shown again with the problems when refused). */
export interface SurveyForm {
  kind: SurveyKind;
  title: string;
  titleEn: string;
  regionId: string;
  places: string[];
  grids: string[];
  pairedOnly: boolean;
  remindAfterDays: string;
  questions: { type: string; required: boolean; zh: string; en: string; options: string }[];
}

/** An empty form of `kind` (an appraisal's questions are fixed; its audience is every paired household). */
export function emptyForm(kind: SurveyKind, scope: StaffScope): SurveyForm {
  return {
    kind,
    title: '',
    titleEn: '',
    regionId: String(scope.topRegions[0]?.id ?? ''),
    places: [],
    grids: [],
    pairedOnly: kind === 'appraisal',
    remindAfterDays: '3',
    questions: Array.from({ length: kind === 'appraisal' ? 0 : 4 }, () => ({ type: 'single', required: true, zh: '', en: '', options: '' })),
  };
}

/** The compose form as posted. Question slots are numbered q1… up to MAX_QUESTIONS; blank ones are left out. */
export function readSurveyForm(form: URLSearchParams): SurveyForm {
  const questions: SurveyForm['questions'] = [];
  for (let i = 1; i <= MAX_QUESTIONS; i++) {
    const zh = form.get(`q${i}_zh`) ?? '';
    if (!form.has(`q${i}_zh`)) break;
    questions.push({
      type: form.get(`q${i}_type`) ?? 'single',
      required: form.get(`q${i}_required`) === 'on',
      zh,
      en: form.get(`q${i}_en`) ?? '',
      options: form.get(`q${i}_options`) ?? '',
    });
  }
  return {
    kind: form.get('kind') === 'appraisal' ? 'appraisal' : 'survey',
    title: form.get('title') ?? '',
    titleEn: form.get('title_en') ?? '',
    regionId: form.get('region') ?? '',
    places: form.getAll('places'),
    grids: form.getAll('grids'),
    pairedOnly: form.get('paired_only') === 'on',
    remindAfterDays: form.get('remind_days') ?? '3',
    questions,
  };
}

/** A survey ready to store. */
interface NewSurvey {
  kind: SurveyKind;
  title: string;
  titleEn: string;
  regionId: number;
  questions: Question[];
  audience: z.output<typeof audienceSchema>;
  remindAfterDays: number;
}

/** An option line: "中文 | English" (the English may be left out). */
function optionLine(line: string): { zh: string; en: string } {
  const [zh = '', en = ''] = line.split(/\s*[|｜]\s*/);
  return { zh: zh.trim(), en: en.trim() };
}

/**
 * Checks the posted form: the survey to store, or the problems in Chinese and English
 * (each naming the field, so the form can be corrected and sent again).
 */
export function checkSurveyForm(
  form: SurveyForm,
  scope: StaffScope,
  regions: Map<number, RegionNode>,
  gridsInScope: ReadonlySet<number>,
): { ok: true; survey: NewSurvey } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const title = form.title.trim();
  if (!title) problems.push('请填写标题。 The title is missing.');
  if (title.length > 60) problems.push('标题最多 60 个字。 The title is longer than 60 characters.');
  const regionId = Number(form.regionId);
  if (!scope.regionIds.includes(regionId)) problems.push('请选择您工作范围内的地区。 Pick a region of yours.');
  const places = form.places.map(Number).filter((id) => Number.isInteger(id) && id > 0);
  if (places.some((id) => !scope.regionIds.includes(id) || !regions.has(id))) problems.push('所选村镇不在您的工作范围内。 A chosen place is outside your area.');
  const grids = form.grids.map(Number).filter((id) => Number.isInteger(id) && id > 0);
  if (grids.some((id) => !gridsInScope.has(id))) problems.push('所选网格不在您的工作范围内。 A chosen grid is outside your area.');
  const remindAfterDays = Number(form.remindAfterDays);
  if (!Number.isInteger(remindAfterDays) || remindAfterDays < 1 || remindAfterDays > 30) problems.push('提醒天数应为 1–30 的整数。 Remind after 1–30 days.');

  let questions: Question[] = APPRAISAL_QUESTIONS;
  if (form.kind === 'survey') {
    const typed = form.questions
      .filter((q) => q.zh.trim() || q.options.trim())
      .map((q) => ({
        ...q,
        lines: q.options
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter(Boolean),
      }));
    if (!typed.length) problems.push('请至少填写一道题。 Write at least one question.');
    typed.forEach((q, i) => {
      const n = i + 1;
      if (!q.zh.trim()) problems.push(`第 ${n} 题缺少题目。 Question ${n} has no text.`);
      if (!(QUESTION_TYPES as readonly string[]).includes(q.type)) problems.push(`第 ${n} 题的题型不对。 Question ${n} has an unknown type.`);
      const choice = q.type === 'single' || q.type === 'multiple';
      if (choice && (q.lines.length < 2 || q.lines.length > MAX_OPTIONS))
        problems.push(`第 ${n} 题是选择题，需要 2–${MAX_OPTIONS} 个选项（每行一个）。 Question ${n} needs 2–${MAX_OPTIONS} options, one per line.`);
      if (!choice && q.lines.length) problems.push(`第 ${n} 题不是选择题，不需要选项。 Question ${n} takes no options.`);
    });
    const parsed = questionsSchema.safeParse(typed.map((q) => ({ type: q.type, required: q.required, zh: q.zh, en: q.en, options: q.lines.map(optionLine) })));
    if (parsed.success) questions = parsed.data;
    else if (!problems.length) problems.push('题目或选项太长（题目 200 字、选项 60 字以内）。 A question or an option is too long (200 / 60 characters).');
  }
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    survey: {
      kind: form.kind,
      title,
      titleEn: form.titleEn.trim().slice(0, 120),
      regionId,
      questions,
      audience: { regionIds: places, gridIds: grids, pairedOnly: form.kind === 'appraisal' || form.pairedOnly },
      remindAfterDays,
    },
  };
}

/** Stores a new survey as a draft; returns its id. */
export async function createSurvey(db: Db, scope: StaffScope, survey: NewSurvey, now: Date): Promise<number> {
  const id = await writeSurvey(db, { ...survey, createdById: scope.personId, at: now });
  if (id === null) throw new Error('a staff survey has no round key to collide on');
  return id;
}

/** When a draft is to go: the time typed (YYYY-MM-DDTHH:MM, Beijing), or now; null when the text is not a time. */
export function sendTimeOf(text: string, now: Date): Date | null {
  if (!text.trim()) return now;
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const at = localInstant(match[1]!, Number(match[2]) * 60 + Number(match[3]));
  return Number.isNaN(at.getTime()) ? null : at < now ? now : at;
}

/** Schedules a draft (false: it is no longer a draft). */
export async function scheduleSurvey(db: Db, id: number, sendAt: Date, now: Date): Promise<boolean> {
  return (await run(sqlOf(db), scheduleQuery, { id, sendAt, at: now })) > 0;
}

/** Takes back a scheduled survey that has not gone yet. */
export async function unscheduleSurvey(db: Db, id: number, now: Date): Promise<boolean> {
  return (await run(sqlOf(db), unscheduleQuery, { id, at: now })) > 0;
}

/** Closes a sent survey. */
export async function closeSurvey(db: Db, id: number, now: Date): Promise<boolean> {
  return (await run(sqlOf(db), closeQuery, { id, at: now })) > 0;
}

/** One household's response as the CSV has it: the household by code with its head masked, and each answer in words. */
export interface ResponseRow {
  household: string;
  village: string;
  liaison: string | null;
  status: string;
  asked: boolean;
  byLiaison: boolean;
  completedAt: Date | null;
  answers: string[];
}

/** The survey's responses in batches (for the CSV, which may hold 100,000 households). */
export async function* responseBatches(db: Db, survey: SurveyView): AsyncGenerator<ResponseRow[]> {
  const names = await rosterNames(db);
  let after = 0;
  for (;;) {
    const regions = { anyRegion: survey.visibleRegionIds === null ? 1 : 0, regionIds: survey.visibleRegionIds ?? [] };
    const rows = await all(sqlOf(db), responseBatchQuery, { surveyId: survey.id, ...regions, after, limit: 1000 });
    if (!rows.length) return;
    after = rows.at(-1)!.id;
    yield rows.map((r) => {
      const answers = parseAnswers(r.answers);
      return {
        household: `${r.code} ${maskName(r.headName)}`,
        village: r.village,
        liaison: r.liaison,
        status: r.status,
        asked: r.asked,
        byLiaison: r.filledByLiaison,
        completedAt: r.completedAt,
        // A household's own words pass the scrubber, as every text others read.
        answers: survey.questions.map((q, i) => (q.type === 'text' ? scrub(answerText(q, answers[String(i)], 'zh'), names) : answerText(q, answers[String(i)], 'zh'))),
      };
    });
  }
}

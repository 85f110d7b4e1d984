/**
 * The demo county's surveys: a 服务需求表 sent to every household some weeks ago, with
 * the answers that came back, and this half-year's 双述双评 with the households'
 * ratings of their liaisons and the liaisons' 述职 — so that /console/surveys and
 * /console/appraisal show real figures on first start. Written in bulk; the chat writes
 * the same rows one by one (src/surveys/surveys.ts). Deterministic for a seed.
 */
import { bulkInsert, type SqlValue } from '../db/bulk-insert.js';
import type { Database } from '../db/client.js';
import { all, defineQuery, first } from '../db/sql.js';
import { APPRAISAL_QUESTIONS, appraisalPeriod } from '../surveys/appraisal.js';
import type { Answers, Question } from '../surveys/questions.js';
import { type SurveyKind, writeSurvey } from '../surveys/store.js';
import { seededRandom } from './demo-data.js';
import { APPRAISAL_COMMENTS, LIAISON_REPORTS, SURVEY_SUGGESTIONS } from './demo-texts.js';

const DAY = 86_400_000;
export const DEMO_SURVEYS_SEED = 20_261_208;

/** The demo's 服务需求表, as a township would write it. */
const NEEDS_QUESTIONS: Question[] = [
  {
    type: 'single',
    required: true,
    zh: '您家最需要哪项公共服务？',
    en: 'Which public service does your household need most?',
    options: [
      { zh: '养老照料', en: 'Elderly care' },
      { zh: '医疗健康', en: 'Health care' },
      { zh: '就业培训', en: 'Job training' },
      { zh: '子女教育', en: 'Schooling' },
      { zh: '文化活动', en: 'Culture' },
    ],
  },
  {
    type: 'multiple',
    required: true,
    zh: '村里哪些设施最需要改善？（可多选）',
    en: 'Which facilities of the village need improving most? (several allowed)',
    options: [
      { zh: '路灯', en: 'Street lights' },
      { zh: '道路', en: 'Roads' },
      { zh: '饮水', en: 'Drinking water' },
      { zh: '垃圾清运', en: 'Rubbish collection' },
      { zh: '文化广场', en: 'Village square' },
    ],
  },
  { type: 'number', required: true, zh: '家里常住几口人？', en: 'How many people live in your household?', options: [] },
  {
    type: 'single',
    required: true,
    zh: '您对本村的人居环境满意吗？',
    en: 'Are you satisfied with the village environment?',
    options: [
      { zh: '满意', en: 'Satisfied' },
      { zh: '基本满意', en: 'Fairly satisfied' },
      { zh: '不满意', en: 'Dissatisfied' },
    ],
  },
  { type: 'text', required: false, zh: '您还有什么意见和建议？', en: 'Any other comments or suggestions?', options: [] },
];

/** Each household with its village, its liaison (if paired) and its first member. */
const householdsQuery = defineQuery('demo_survey_households', (db) =>
  db
    .selectFrom('Household as h')
    .leftJoin('Pairing as pr', 'pr.householdId', 'h.id')
    .select((eb) => [
      'h.id',
      'h.regionId',
      'pr.liaisonId',
      eb
        .selectFrom('Person as m')
        .select((m) => m.fn.min('m.id').as('id'))
        .whereRef('m.householdId', '=', 'h.id')
        .as('memberId'),
    ])
    .orderBy('h.id'),
);

/** The county and a county staff member to have written the surveys. */
const countyQuery = defineQuery('demo_survey_county', (db) =>
  db
    .selectFrom('Region as r')
    .innerJoin('PersonRole as pr', 'pr.regionId', 'r.id')
    .select(['r.id as regionId', 'pr.personId'])
    .where('r.level', '=', 'county')
    .where('pr.role', 'in', ['supervisor', 'admin', 'dispatcher'])
    .orderBy('pr.personId')
    .limit(1),
);

const RESPONSE_COLUMNS = [
  'surveyId',
  'householdId',
  'regionId',
  'liaisonId',
  'answers',
  'status',
  'asked',
  'answeredById',
  'filledByLiaison',
  'remindedAt',
  'completedAt',
  'createdAt',
  'updatedAt',
] as const;
type ResponseColumn = (typeof RESPONSE_COLUMNS)[number];

/** Writes the demo surveys, answers and 述职 as of `now`; returns how many responses. */
export async function seedDemoSurveys(database: Database, options: { now: Date; seed?: number }): Promise<number> {
  const county = await first(database.sql, countyQuery, {});
  if (!county) return 0;
  const random = seededRandom(options.seed ?? DEMO_SURVEYS_SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  /** An index weighted by `weights`. */
  const weighted = (weights: readonly number[]) => {
    let r = random() * weights.reduce((a, b) => a + b, 0);
    for (const [i, w] of weights.entries()) if ((r -= w) < 0) return i;
    return weights.length - 1;
  };
  const households = await all(database.sql, householdsQuery, {});
  const now = options.now.getTime();
  const survey = async (fields: { title: string; titleEn: string; kind: SurveyKind; questions: Question[]; pairedOnly: boolean; daysAgo: number }) => {
    const at = new Date(now - fields.daysAgo * DAY);
    const id = await writeSurvey(database.db, {
      regionId: county.regionId,
      title: fields.title,
      titleEn: fields.titleEn,
      kind: fields.kind,
      questions: fields.questions,
      audience: { pairedOnly: fields.pairedOnly },
      status: 'sent',
      sendAt: at,
      sentAt: at,
      remindedAt: new Date(at.getTime() + 3 * DAY),
      createdById: county.personId,
      at,
    });
    return { id: id!, at: at.getTime() };
  };
  const rows: Record<ResponseColumn, SqlValue>[] = [];
  const response = (s: { id: number; at: number }, h: (typeof households)[number], answers: Answers | null, complete: boolean) => {
    const asked = h.memberId !== null && random() < 0.8;
    const answeredAt = new Date(s.at + (0.1 + random() * 6) * DAY);
    const byLiaison = answers !== null && !asked;
    rows.push({
      surveyId: s.id,
      householdId: h.id,
      regionId: h.regionId,
      liaisonId: h.liaisonId,
      answers: JSON.stringify(answers ?? {}),
      status: answers === null ? 'pending' : complete ? 'complete' : 'partial',
      asked,
      answeredById: answers === null ? null : byLiaison ? h.liaisonId : h.memberId,
      filledByLiaison: byLiaison,
      remindedAt: asked && (answers === null || answeredAt.getTime() > s.at + 3 * DAY) ? new Date(s.at + 3 * DAY) : null,
      completedAt: answers !== null && complete ? answeredAt : null,
      createdAt: new Date(s.at),
      updatedAt: answers === null ? new Date(s.at) : answeredAt,
    });
  };

  // The 服务需求表, five weeks ago: about two households in three answered it all.
  const needs = await survey({
    title: '2026年农户服务需求表',
    titleEn: '2026 household service needs',
    kind: 'survey',
    questions: NEEDS_QUESTIONS,
    pairedOnly: false,
    daysAgo: 35,
  });
  for (const h of households) {
    const r = random();
    if (r > 0.72 || (h.memberId === null && h.liaisonId === null)) {
      response(needs, h, null, false);
      continue;
    }
    const facilities = [0, 1, 2, 3, 4].filter((i) => random() < [0.45, 0.35, 0.2, 0.3, 0.15][i]!);
    const answers: Answers = {
      '0': weighted([30, 28, 18, 14, 10]),
      '1': facilities.length ? facilities : [weighted([3, 2, 1, 2, 1])],
      '2': 1 + weighted([8, 22, 26, 24, 14, 6]),
      '3': weighted([52, 38, 10]),
      '4': random() < 0.35 ? pick(SURVEY_SUGGESTIONS) : null,
    };
    if (r > 0.66) {
      // Stopped half-way.
      delete answers['3'];
      delete answers['4'];
      response(needs, h, answers, false);
    } else response(needs, h, answers, true);
  }

  // This half-year's 双述双评, three weeks ago, to the paired households.
  const period = appraisalPeriod(options.now);
  const appraisal = await survey({
    title: `${period.label}双述双评`,
    titleEn: `Liaison appraisal, ${period.key}`,
    kind: 'appraisal',
    questions: APPRAISAL_QUESTIONS,
    pairedOnly: true,
    daysAgo: 21,
  });
  const liaisons = new Set<number>();
  for (const h of households) {
    if (h.liaisonId === null) continue;
    liaisons.add(h.liaisonId);
    if (random() > 0.76) {
      response(appraisal, h, null, false);
      continue;
    }
    const rating = weighted([68, 24, 8]);
    response(appraisal, h, { '0': rating, '1': random() < 0.3 ? pick(APPRAISAL_COMMENTS) : null }, true);
  }
  const written = await bulkInsert(database.db, database.sql.dialect, 'SurveyResponse', RESPONSE_COLUMNS, rows);

  // Most liaisons have given their 述职.
  const reports = [...liaisons]
    .sort((a, b) => a - b)
    .filter(() => random() < 0.6)
    .map((liaisonId) => ({
      liaisonId,
      period: period.key,
      text: LIAISON_REPORTS.filter(() => random() < 0.8).join('') || LIAISON_REPORTS[0]!,
      createdAt: new Date(now - (1 + random() * 10) * DAY),
      updatedAt: new Date(now - random() * DAY),
    }));
  await bulkInsert(database.db, database.sql.dialect, 'LiaisonReport', ['liaisonId', 'period', 'text', 'createdAt', 'updatedAt'], reports);
  return written;
}

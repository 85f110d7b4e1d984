/**
 * The REST API's contract, in zod: what each route accepts (validated on every request)
 * and answers. The OpenAPI document (./openapi.ts) is generated from these same schemas,
 * so the document cannot drift from what the routes check.
 */
import { z } from 'zod';
import { localInstant } from '../pipeline/calendar.js';
import { RECEIPT_CHANNELS } from '../intake/intake.js';
import { CALLBACK_FAILURES, RATINGS, TICKET_STATES } from '../pipeline/states.js';
import { ACTION_NAMES, CONSOLE_ACTIONS, type ConsoleAction } from '../web/console/actions.js';
import { STATE_GROUPS } from '../web/console/queue.js';
import type { ApiScope } from '../open311/keys.js';

/** Whether YYYY-MM-DD is a day of the calendar (2026-02-30 is not). */
function isCalendarDate(text: string): boolean {
  try {
    localInstant(text, 0);
    return true;
  } catch {
    return false;
  }
}

/** A local date (Beijing), as the console's filters take it. */
const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine(isCalendarDate, 'not a calendar date')
  .describe('A date in Beijing time, YYYY-MM-DD');
const regionCode = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,40}$/)
  .describe('A region code, e.g. QH-01 (see /api/v1/roster/regions)');
const instant = z.string().describe('An instant, ISO 8601 in UTC');

export const ticketListQuery = z.strictObject({
  state: z
    .enum([...STATE_GROUPS, ...TICKET_STATES])
    .default('all')
    .describe('A state, or a group: open, done, all (the default)'),
  category: z
    .string()
    .regex(/^[a-z_]{1,32}$/)
    .optional()
    .describe('A category code'),
  region: regionCode.optional().describe('Only tickets placed in this region or below it'),
  from: localDate.optional().describe('Received on or after this day'),
  to: localDate.optional().describe('Received on or before this day (included)'),
  limit: z.coerce.number().int().min(1).max(100).default(50).describe('Tickets per page, at most 100'),
  // A ticket id: at most the largest 32-bit integer, the column's range on PostgreSQL.
  after: z.coerce.number().int().positive().max(2_147_483_647).optional().describe('The cursor: `next` of the previous page'),
});

export const ticketNumberPath = z.strictObject({
  number: z
    .string()
    .regex(/^[A-Za-z]{1,6}-\d{4}-\d{6}$/)
    .describe('A ticket number, e.g. MQ-2026-000123'),
});

export const statsQuery = z.strictObject({
  region: regionCode.optional().describe("The region; the key's own region by default"),
  from: localDate.describe('The first day of the period'),
  to: localDate.describe('The last day of the period (included)'),
});

export const noQuery = z.strictObject({});

export const ticketRow = z.object({
  number: z.string(),
  state: z.enum(TICKET_STATES),
  kind: z.string(),
  category: z.string().describe('The category code'),
  summary: z.string().describe('Scrubbed: no names, phone numbers, ID numbers or house numbers'),
  region: z.string().describe("The name of the ticket's region"),
  grid: z.string().nullable(),
  handler: z.string().nullable().describe("A department's name, or a person's masked name (李**)"),
  level: z.string(),
  receivedAt: instant,
  acceptBy: instant.nullable(),
  resolveBy: instant.nullable(),
  overdue: z.boolean(),
  supervised: z.boolean(),
});

export const ticketPage = z.object({
  tickets: z.array(ticketRow),
  next: z.number().int().nullable().describe('The cursor of the next page (pass as `after`), null on the last page'),
});

export const ticketEvent = z.object({
  seq: z.number().int(),
  type: z.string(),
  state: z.string().describe('The state after the event'),
  actorRole: z.string(),
  at: instant,
  text: z.string().nullable().describe("The event's words meant for the resident, scrubbed; internal staff notes never appear"),
});

export const ticketDetail = ticketRow.extend({ events: z.array(ticketEvent) });

const rate = z.object({ numerator: z.number().int(), denominator: z.number().int(), value: z.number().nullable() });

export const statsAnswer = z.object({
  region: z.object({ code: z.string(), name: z.string() }),
  from: localDate,
  to: localDate,
  figures: z.object({
    received: z.number().int(),
    open: z.number().int(),
    overdue: z.number().int(),
    responseRate: rate,
    onTimeRate: rate,
    oneTimeRate: rate,
    resolutionRate: rate,
    satisfactionRate: rate,
    returnRate: rate,
    reopenRate: rate,
    medianAcceptMinutes: z.number().nullable(),
    medianResolveMinutes: z.number().nullable(),
  }),
});

export const regionList = z.object({
  regions: z.array(z.object({ code: z.string(), name: z.string(), level: z.enum(['county', 'township', 'village']), parent: z.string().nullable().describe("The parent's code") })),
});

export const apiError = z.object({ error: z.object({ status: z.number().int(), message: z.string() }) });

const words = (what: string) => z.string().describe(what);
const personCode = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,40}$/)
  .describe("A liaison's or grid leader's person code");
const departmentCode = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/)
  .describe("A department's code");

/**
 * The fields of each console action, named as the console's forms name them
 * (src/web/console/actions.ts commandOf), but `dispatch`, which names its handler by code
 * rather than by the console's list. Which text must be there and how long it may be is
 * the pipeline's to say.
 */
const ACTION_FIELDS = {
  reply: { text: words('The answer to the resident, which they receive') },
  note: { text: words('A note for staff only') },
  dispatch: {
    target: z
      .union([z.strictObject({ person: personCode }), z.strictObject({ department: departmentCode })])
      .describe("The handler: a liaison or grid leader of the ticket's village, or a department within reach"),
    note: words('Instructions for the handler').optional(),
  },
  approve_extension: { days: z.number().int().min(1).max(30).optional().describe('Working days granted; as asked by default'), note: words('A note').optional() },
  deny_extension: { reason: words('Why not') },
  escalate: { reason: words('Why it goes to the level above') },
  hand_back: { reason: words('Why the county sends it back to the township') },
  supervise: { note: words('What the 督办 asks') },
  recategorise: { category: z.string().describe('A category code'), note: words('Why').optional() },
  merge: { into: z.string().describe('The number of the ticket this one duplicates'), note: words('A note').optional() },
  rate: {
    rating: z.enum(RATINGS).describe("The resident's rating on the phone"),
    solved: z.boolean().optional().describe('Whether the resident says it is solved'),
    comment: words("The resident's words").optional(),
  },
  close: {
    note: words('A note').optional(),
    callback: z
      .enum([...RATINGS, ...CALLBACK_FAILURES])
      .optional()
      .describe('What the callback came to, for a ticket nobody rated: a rating, or why there is none'),
    solved: z.boolean().optional(),
    comment: words("The resident's words").optional(),
  },
  reopen: { reason: words('Why it is done again') },
} satisfies Record<ConsoleAction, z.ZodRawShape>;

function actionVariant<A extends ConsoleAction>(action: A) {
  return z.strictObject({ action: z.literal(action), ...ACTION_FIELDS[action] }).describe(`${ACTION_NAMES[action].zh} ${ACTION_NAMES[action].en}`);
}
/** One variant per action, each with its own fields (a union over the actions, not a variant of unions). */
type ActionVariant = { [A in ConsoleAction]: ReturnType<typeof actionVariant<A>> }[ConsoleAction];

/** POST /api/v1/tickets/{number}/actions: one console action and its fields. */
export const ticketActionBody = z.discriminatedUnion('action', CONSOLE_ACTIONS.map(actionVariant) as unknown as [ActionVariant, ...ActionVariant[]]);

/** POST /api/v1/tickets: a request registered for a resident, as the console's 受理登记 takes it. */
export const registerBody = z.strictObject({
  resident: z
    .union([
      z.strictObject({ code: personCode.describe("A resident's person code") }),
      z.strictObject({ name: z.string().describe("A new resident's name"), phone: z.string().describe('Their phone number') }),
    ])
    .describe('Whom it is for: a resident of the roster, or someone new'),
  village: regionCode.optional().describe("The village where the matter is; the resident's own by default"),
  channel: z.enum(RECEIPT_CHANNELS).describe('How it was received: station 来访, phone 来电, letter 来信, visit 走访'),
  category: z.string().describe('A category code'),
  description: words('What the matter is'),
  location: words('Where exactly').optional(),
  urgent: z.boolean().optional(),
  settled: words('即办: the result, when it was settled on the spot').optional(),
});

export const registerAnswer = z.object({
  number: z.string(),
  settled: z.boolean().describe('Settled on the spot (即办)'),
});

export const actionAnswer = z.object({
  number: z.string(),
  action: z.enum(CONSOLE_ACTIONS),
  state: z.enum(TICKET_STATES).describe('The state after the action'),
});

/** One route of the API, as the router dispatches it and the document describes it. */
export interface ApiRoute {
  method: 'get' | 'post';
  /** The path in OpenAPI form, e.g. /api/v1/tickets/{number}. */
  path: string;
  summary: string;
  /** The scope a key needs; null for the document and the reference page (no key). */
  scope: ApiScope | null;
  query: z.ZodObject;
  pathParams?: z.ZodObject;
  /** The JSON body of a POST, and an example of it (which the tests post). */
  body?: z.ZodType;
  example?: Record<string, unknown>;
  /** Answers beyond every route's errors (src/api/openapi.ts), with what they mean. */
  errors?: Record<string, string>;
  /** The status of success: 200 unless it creates something. */
  success?: 201;
  /** The JSON answer; undefined for the HTML reference page. */
  answer?: z.ZodType;
}

export const API_ROUTES = {
  tickets: { method: 'get', path: '/api/v1/tickets', summary: "Tickets within the key's reach, newest first, in pages", scope: 'read', query: ticketListQuery, answer: ticketPage },
  ticket: {
    method: 'get',
    path: '/api/v1/tickets/{number}',
    summary: 'One ticket with its history (internal staff notes left out)',
    scope: 'read',
    query: noQuery,
    pathParams: ticketNumberPath,
    answer: ticketDetail,
  },
  register: {
    method: 'post',
    path: '/api/v1/tickets',
    summary: 'Registers a request for a resident (受理登记), as the console user the key acts as',
    scope: 'write',
    query: noQuery,
    body: registerBody,
    example: { resident: { code: 'R-QH-01-001-H001' }, channel: 'phone', category: 'power', description: '村口的路灯不亮了 the street light at the village entrance is out' },
    errors: { '403': 'The key lacks the scope, its console user is disabled, or that user registers no requests (not a dispatcher)' },
    success: 201,
    answer: registerAnswer,
  },
  action: {
    method: 'post',
    path: '/api/v1/tickets/{number}/actions',
    summary: "One of the console's actions on a ticket, taken as the console user the key acts as",
    scope: 'write',
    query: noQuery,
    pathParams: ticketNumberPath,
    body: ticketActionBody,
    example: { action: 'note', text: '已电话联系村委会 called the village committee' },
    errors: {
      '403': 'The key lacks the scope, its console user is disabled, or that user may not take this action',
      '409': "The ticket's state does not allow the action (the pipeline's refusal, Chinese first), or a request with this Idempotency-Key is still being handled",
    },
    answer: actionAnswer,
  },
  stats: { method: 'get', path: '/api/v1/stats', summary: 'The figures of the tickets received in a period in a region', scope: 'read', query: statsQuery, answer: statsAnswer },
  regions: { method: 'get', path: '/api/v1/roster/regions', summary: 'Every region: code, name, level, parent', scope: 'read', query: noQuery, answer: regionList },
  openapi: { method: 'get', path: '/api/v1/openapi.json', summary: 'This OpenAPI 3.1 document', scope: null, query: noQuery },
  docs: { method: 'get', path: '/api/v1/docs', summary: 'A readable reference of the routes', scope: null, query: noQuery },
} as const satisfies Record<string, ApiRoute>;

export type RouteName = keyof typeof API_ROUTES;

/**
 * Assembles a running Minqing from its settings: the migrated database (seeded with the
 * demo county when empty), the pipeline, the dialogue engine, the chat channels given,
 * and the scheduler that fires deadlines and delivers the outbox through those channels.
 */
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/client.js';
import { CategoryClassifier } from './engine/classifier.js';
import { CorrectionLearner } from './engine/corrections.js';
import { Engine } from './engine/engine.js';
import { mediaOf } from './engine/media.js';
import type { ChannelAdapter, Inbound, Outbound } from './engine/types.js';
import { WebhookSender } from './webhooks/delivery.js';
import { logger } from './log.js';
import type { DemoHistoryReport } from './org/demo-history.js';
import { isEmpty } from './org/regions.js';
import { assistanceLimitsOf } from './assistance/machine.js';
import { localDateOf, WorkCalendar } from './pipeline/calendar.js';
import type { PipelineRules } from './pipeline/model.js';
import { type Deliver, type OutboxDelivery, Scheduler } from './pipeline/scheduler.js';
import { loadedWhenDue } from './pipeline/deadlines.js';
import { loadedOnFirstRun } from './pipeline/retention.js';
import { type Clock, PipelineService, systemClock, withSqlRetry } from './pipeline/service.js';
import { closeIdleConversations } from './conversations/conversations.js';
import { SurveySender } from './surveys/push.js';
import { mediationRulesOf } from './mediation/transitions.js';
import { sweepThrottle } from './web/throttle.js';

const log = logger('app');

/** The pipeline rules the settings describe. */
export function rulesFrom(config: Config, clock: Clock = systemClock): PipelineRules {
  const calendar = WorkCalendar.load(config.HOLIDAY_CALENDAR_FILE);
  const year = Number(localDateOf(clock.now()).slice(0, 4));
  if (!calendar.covers(year)) {
    log.warn({ year }, 'the holiday calendar has no data for this year: counting Monday to Friday as working days; update data/calendar/cn-holidays.json');
  }
  return {
    calendar,
    officeHours: { dayStartMinutes: config.OFFICE_DAY_START, dayEndMinutes: config.OFFICE_DAY_END },
    callbackDays: config.CALLBACK_DAYS,
    reminderHours: config.REMINDER_HOURS,
    assistance: assistanceLimitsOf(config.ASSISTANCE_DAYS),
  };
}

export interface App {
  database: Database;
  pipeline: PipelineService;
  engine: Engine;
  /** The category matcher (the console proposes categories with it). */
  classifier: CategoryClassifier;
  scheduler: Scheduler;
  /** Runs one inbound message and sends its replies through its channel; resolves with those replies. */
  receive(inbound: Inbound): Promise<Outbound[]>;
  stop(): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  /** The chat channels this process serves. */
  adapters?: ChannelAdapter[];
  /** The scheduler's name in its claims (default: pid and a random suffix). */
  workerId?: string;
  /** Run the scheduler every SCHEDULER_INTERVAL_MS (default true; tests may tick it themselves). */
  runScheduler?: boolean;
  /** Rows the scheduler claims at a time (default 100; small makes processes take turns). */
  schedulerBatch?: number;
}

/**
 * A turn's replies as its channel takes them: on a channel that merges (SMS, each message
 * costs and may arrive out of order) the first carries the rest as one message, as the
 * scheduler merges a chat's claimed pushes; elsewhere each on its own.
 */
function inOneWhereMerged(adapter: ChannelAdapter, replies: Outbound[]): Outbound[] {
  const [first, ...rest] = replies;
  return adapter.mergesPushes && first && rest.length ? [{ ...first, merged: [...(first.merged ?? []), ...rest] }] : replies;
}

/**
 * Sends the replies of a turn through `adapter` and records what went out. The message
 * is answered once the turn has committed and its replies are sent; the "sent" mark is
 * not waited for (on SQLite it waits for its group's commit, see SqliteHandle): were it
 * lost, the reply would go out again once the turn's hold ends, as after a crash. Replies
 * the channel's answer carries (the web) were written as sent by the turn itself.
 */
async function deliverReplies(engine: Engine, adapter: ChannelAdapter, inbound: Inbound): Promise<Outbound[]> {
  const { replies } = await engine.handle(inbound);
  if (inbound.repliesInAnswer) {
    // Not sent (the page closed meanwhile): the page resends the message it has no answer to, and gets them then.
    for (const reply of replies) await adapter.send(reply);
    return replies;
  }
  const sent: number[] = [];
  for (const message of inOneWhereMerged(adapter, replies)) {
    const result = await adapter.send(message);
    if (result.status === 'sent') sent.push(...[message, ...(message.merged ?? [])].flatMap((part) => (part.outboxId === undefined ? [] : [part.outboxId])));
    // Anything not sent stays in the outbox; the scheduler retries it once the turn's hold ends.
  }
  void engine.markSent(sent).catch((error: unknown) => log.error({ err: error, outboxIds: sent }, 'could not mark replies sent; they go out again after their hold'));
  return replies;
}

/**
 * Plays the demo history (src/org/demo-history.ts) up to `now` into a database that holds
 * the demo county and no ticket yet: SEED_DEMO_HISTORY_MONTHS whole months before the
 * current one, and the current month to date. Null when the setting is 0, when there are
 * tickets already (running it again adds nothing), or when the database holds more than
 * the demo county (no made-up requests among a real county's residents).
 */
export async function seedDemoHistory(database: Database, config: Config, now: Date): Promise<DemoHistoryReport | null> {
  if (config.SEED_DEMO_HISTORY_MONTHS === 0 || (await database.db.ticket.count()) > 0) return null;
  // The demo's seeding (src/org/seed.ts and the roster importer) is loaded only to seed, like its history below.
  const { holdsOnlyDemo } = await import('./org/seed.js');
  if (!(await holdsOnlyDemo(database.db))) {
    log.warn('the database holds regions beyond the demo county: no demo history played');
    return null;
  }
  // Loaded only to seed: a serving process never needs its code and texts.
  const { playDemoHistory } = await import('./org/demo-history.js');
  const rules = rulesFrom(config, { now: () => now });
  const report = await playDemoHistory({
    database,
    rules,
    now,
    months: config.SEED_DEMO_HISTORY_MONTHS,
    ticketPrefix: config.TICKET_PREFIX,
  });
  // The liaisons' visit log over the same months (民情日记).
  const { seedDemoVisits } = await import('./org/demo-visits.js');
  const visits = await seedDemoVisits(database, { from: report.from, to: now });
  // A 服务需求表 with its answers, and this half-year's 双述双评 with its ratings and 述职.
  const { seedDemoSurveys } = await import('./org/demo-surveys.js');
  const surveyResponses = await seedDemoSurveys(database, { now });
  // The month's theme 每月一题, adopted from the history's figures.
  const theme = await (await import('./org/demo-theme.js')).seedDemoTheme(database, now);
  // 帮扶 cases in each step, with their households' difficulty records.
  const assistanceCases = await (await import('./org/demo-assistance.js')).seedDemoAssistance(database, rules, now);
  // The ledger 台账: a public commitment per township, one 挂牌督办, one done, one late.
  const ledgerItems = await (await import('./org/demo-ledger.js')).seedDemoLedger(database, now);
  // Disputes in every state of mediation, with their village mediators (矛盾纠纷调解).
  const mediationCases = await (await import('./org/demo-mediation.js')).seedDemoMediation(database, { now, rules: mediationRulesOf(config) });
  // The first village's last 村务议政会, recorded with its decisions, and its next one with the agenda.
  const meetings = await (await import('./org/demo-meetings.js')).seedDemoMeetings(database, { now, rules, ticketPrefix: config.TICKET_PREFIX });
  // 受理登记: this morning's walk-in, phoned and written requests, one settled on the spot (即办).
  const registered = await (await import('./org/demo-intake.js')).seedDemoIntake(database, { now, rules, ticketPrefix: config.TICKET_PREFIX });
  // The walk-ins with a mobile and no chat, reached by SMS: a receipt, and a rating in one reply.
  const sms = await (await import('./org/demo-sms.js')).seedDemoSms(database, { now, rules, ticketPrefix: config.TICKET_PREFIX });
  log.info(
    {
      months: config.SEED_DEMO_HISTORY_MONTHS,
      from: localDateOf(report.from),
      tickets: report.tickets,
      events: report.events,
      timersFired: report.timersFired,
      timersArmed: report.timersArmed,
      states: Object.entries(report.states)
        .filter(([, n]) => n > 0)
        .map(([state, n]) => `${state} ${n}`)
        .join(', '),
      refusals: report.refusals.length,
      visits,
      surveyResponses,
      theme,
      assistanceCases,
      ledgerItems,
      mediationCases,
      meetings,
      registered,
      sms,
      ms: report.ms,
    },
    'played the demo history through the pipeline',
  );
  return report;
}

/**
 * Opens and migrates the database, and loads the demo county into an empty one when
 * SEED_DEMO, with its history up to `clock`'s now (SEED_DEMO_HISTORY_MONTHS).
 */
export async function openPrepared(config: Config, clock: Clock = systemClock): Promise<Database> {
  const started = performance.now();
  const database = await openDatabase(config.DATABASE_URL, { synchronous: config.SQLITE_SYNCHRONOUS });
  try {
    if (config.SEED_DEMO && (await isEmpty(database.db))) {
      const migrated = performance.now();
      const { seedDemo } = await import('./org/seed.js');
      const report = await seedDemo(database.db);
      log.info({ counts: report.counts, migrateMs: Math.round(migrated - started), ms: Math.round(performance.now() - migrated) }, 'empty database: loaded the demo county');
      await seedDemoHistory(database, config, clock.now());
    }
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Opens the prepared database, then starts the pipeline, the engine, the channels and the scheduler. */
export async function startApp(config: Config, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const adapters = options.adapters ?? [];
  const database = await openPrepared(config, clock);
  try {
    const pipeline = new PipelineService({ db: database.db, rules: rulesFrom(config, clock), clock, ticketPrefix: config.TICKET_PREFIX });
    const classifier = CategoryClassifier.load();
    // The county's past 改类 corrections teach the matcher before the first message.
    const corrections = new CorrectionLearner(database.db, classifier);
    await corrections.catchUp();
    const engine = new Engine({
      db: database.db,
      pipeline,
      classifier,
      clock,
      sessionIdleMinutes: config.SESSION_IDLE_MINUTES,
      floodPerMinute: config.FLOOD_PER_MINUTE,
      defaultLocale: config.DEFAULT_LOCALE,
    });
    const byChannel = new Map(adapters.map((a) => [a.channel as string, a]));
    /** Choices of pushes being recorded: waited for on stop, before the database closes. */
    const noting = new Set<Promise<void>>();
    /** An outbox delivery as its channel's adapter takes it (with the pushes merged into it, for a merging channel). */
    const outboundOf = (channel: ChannelAdapter['channel'], message: OutboxDelivery): Outbound => ({
      channel,
      chatId: message.chatId,
      text: message.text,
      choices: message.actions,
      media: mediaOf(message.media),
      outboxId: message.id,
      locale: message.locale,
      source: { template: message.template, params: message.params, ticketNumber: message.ticketNumber },
      ...(message.merged ? { merged: message.merged.map((part) => outboundOf(channel, part)) } : {}),
    });
    const deliver: Deliver = async (message) => {
      const adapter = byChannel.get(message.channel);
      if (!adapter) return { status: 'retry', error: `no ${message.channel} channel in this process` };
      const result = await adapter.send(outboundOf(adapter.channel, message));
      if (result.status === 'sent') {
        // Not awaited: the chat's next turn queues behind it anyway (Engine's per-chat
        // queue), and on SQLite it would hold this round until its group commits.
        // Merged pushes offer their choices in order: the last one offered is the one answered.
        for (const part of [message, ...(message.merged ?? [])]) {
          const noted = engine
            .noteOffered(part.channel, part.chatId, part.recipientId, part.id, part.actions, part.reply)
            .catch((error: unknown) => log.error({ err: error, outboxId: part.id }, 'could not record the choices a push offered'))
            .finally(() => noting.delete(noted));
          noting.add(noted);
        }
      }
      return result;
    };
    const surveys = new SurveySender({ db: database.db, clock });
    const webhooks = new WebhookSender({ database, clock, pauseAfterHours: config.WEBHOOK_PAUSE_AFTER_HOURS });
    const scheduler = new Scheduler({
      database,
      pipeline,
      clock,
      maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
      inboundRetentionDays: config.INBOUND_RETENTION_DAYS,
      // Rows the webhooks and the API keep for a while; each module is imported on its duty's first run.
      retention: [
        loadedOnFirstRun('webhookDeliveries', async () => (await import('./webhooks/retention.js')).webhookDeliveryRetention(config.WEBHOOK_DELIVERY_RETENTION_DAYS * 86_400_000)),
        loadedOnFirstRun('idempotencyKeys', async () => (await import('./api/idempotency.js')).idempotencyRetention),
        loadedOnFirstRun('consoleForms', async () => (await import('./web/console/form-once.js')).consoleFormRetention),
      ],
      deliver,
      // Messages held while their senders were over the flood limit are answered once it allows.
      // Corrections made since (here or in another process) teach the matcher too.
      duties: [
        () => engine.releaseHeld(),
        () => corrections.catchUp(),
        // 人工 conversations nobody wrote in for CONVERSATION_IDLE_HOURS end, with a note to the resident.
        () => closeIdleConversations(database.db, clock.now(), config.CONVERSATION_IDLE_HOURS * 3_600_000, (work) => withSqlRetry(database.db, work)),
        // Login and upload limits forget attempts that have left their window.
        () => sweepThrottle(database.db, clock.now()),
        // Liaisons hear which paired households are due for a visit (weekly, and near the month's end).
        loadedWhenDue(
          { db: database.db, clock, calendar: pipeline.rules.calendar, officeHours: pipeline.rules.officeHours },
          async () => (await import('./visits/coverage.js')).visitReminders,
        ),
        // Surveys whose time has come go to their households' chats; the unfinished are reminded once.
        surveys.duty,
        // Signed webhook POSTs to other systems, each subscriber's in order (src/webhooks/delivery.ts).
        webhooks.duty,
        // 双述双评 twice a year: each county's appraisal round starts on the first working day of APPRAISAL_MONTHS.
        loadedWhenDue(
          { db: database.db, clock, calendar: pipeline.rules.calendar, officeHours: pipeline.rules.officeHours, months: config.APPRAISAL_MONTHS },
          async () => (await import('./surveys/appraisal.js')).appraisalRoundDuty,
        ),
        // Ledger items due within three working days, or late, remind their owners once a week.
        loadedWhenDue(
          { db: database.db, clock, calendar: pipeline.rules.calendar, officeHours: pipeline.rules.officeHours },
          async () => (await import('./ledger/reminders.js')).ledgerReminders,
        ),
        // 矛盾纠纷调解: mediators are reminded to follow settled agreements up (MEDIATION_FOLLOW_UP_DAYS).
        loadedWhenDue(
          { db: database.db, clock, officeHours: pipeline.rules.officeHours, followUpDays: config.MEDIATION_FOLLOW_UP_DAYS },
          async () => (await import('./mediation/follow-ups.js')).mediationFollowUpDuty,
        ),
        // The meeting rhythm: agendas prepared before each meeting, attendees reminded the day before.
        loadedWhenDue(
          { db: database.db, clock, calendar: pipeline.rules.calendar, officeHours: pipeline.rules.officeHours },
          async () => (await import('./meetings/duty.js')).meetingDuty,
        ),
        // 帮扶 steps and mediation limits that ran out: their responsible people are pushed once per step.
        loadedWhenDue(
          { db: database.db, clock, calendar: pipeline.rules.calendar, officeHours: pipeline.rules.officeHours },
          async () => (await import('./cases/overdue.js')).caseOverdueDuty,
        ),
        ...adapters.flatMap((a) => a.duties ?? []),
      ],
      outboxTargets: adapters.flatMap((a) => a.targets ?? [{ channel: a.channel }]),
      mergeChannels: adapters.filter((a) => a.mergesPushes).map((a) => a.channel),
      ...(options.workerId ? { workerId: options.workerId } : {}),
      ...(options.schedulerBatch ? { batchSize: options.schedulerBatch } : {}),
    });
    for (const adapter of adapters) {
      await adapter.start(async (inbound) => {
        await deliverReplies(engine, adapter, inbound);
      });
    }
    if (options.runScheduler !== false) scheduler.start(config.SCHEDULER_INTERVAL_MS);
    return {
      database,
      pipeline,
      engine,
      classifier,
      scheduler,
      async receive(inbound) {
        const adapter = byChannel.get(inbound.channel);
        if (!adapter) throw new Error(`no ${inbound.channel} channel in this process`);
        return deliverReplies(engine, adapter, inbound);
      },
      async stop() {
        await scheduler.stop();
        await surveys.stop();
        await webhooks.stop();
        for (const adapter of adapters) await adapter.stop();
        await Promise.all(noting);
        await database.close();
      },
    };
  } catch (error) {
    // A channel that fails to start (Telegram unreachable, a port taken) must not leave
    // the others listening.
    for (const adapter of adapters) await adapter.stop().catch(() => undefined);
    await database.close();
    throw error;
  }
}

/**
 * Assembles a running Minqing from its settings: the migrated database (seeded with the
 * demo county when empty), the pipeline and its scheduler.
 */
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/client.js';
import { logger } from './log.js';
import { isEmpty, seedDemo } from './org/seed.js';
import { localDateOf, WorkCalendar } from './pipeline/calendar.js';
import type { PipelineRules } from './pipeline/model.js';
import { type Deliver, Scheduler } from './pipeline/scheduler.js';
import { type Clock, PipelineService, systemClock } from './pipeline/service.js';

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
    officeHours: { dayEndMinutes: config.OFFICE_DAY_END },
    callbackDays: config.CALLBACK_DAYS,
    reminderHours: config.REMINDER_HOURS,
  };
}

export interface App {
  database: Database;
  pipeline: PipelineService;
  scheduler: Scheduler;
  stop(): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  /** The channels' sender; without one, outgoing messages wait in the outbox. */
  deliver?: Deliver;
}

/** Opens, migrates and (when empty and SEED_DEMO) seeds the database, then starts the scheduler. */
export async function startApp(config: Config, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const database = await openDatabase(config.DATABASE_URL);
  try {
    if (config.SEED_DEMO && (await isEmpty(database.db))) {
      const report = await seedDemo(database.db);
      log.info({ counts: report.counts }, 'empty database: loaded the demo county');
    }
    const pipeline = new PipelineService({ db: database.db, rules: rulesFrom(config, clock), clock, ticketPrefix: config.TICKET_PREFIX });
    const scheduler = new Scheduler({
      database,
      pipeline,
      clock,
      maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
      ...(options.deliver ? { deliver: options.deliver } : {}),
    });
    scheduler.start(config.SCHEDULER_INTERVAL_MS);
    return {
      database,
      pipeline,
      scheduler,
      async stop() {
        await scheduler.stop();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * A dialogue world for the engine's tests: a fresh copy of the demo county (on SQLite,
 * or on the database given: see eachDatabase in ./db.ts), a fake clock on a working
 * Monday morning, the pipeline and the engine, and chats of the roster's people (a
 * resident's web chat bound to their person, a liaison's or staff member's console chat
 * bound with a one-time code, as `npm run invite` does).
 */
import { CategoryClassifier } from '../../src/engine/classifier.js';
import { Engine, type EngineOptions } from '../../src/engine/engine.js';
import { createBindingCode } from '../../src/org/invite.js';
import { PipelineService } from '../../src/pipeline/service.js';
import { TestChat } from './chat-client.js';
import { eachDatabase, forThisTest, SQLITE, type TestDatabase, type TestDatabaseKind } from './db.js';
import { FakeClock, rules } from './org-fixture.js';

/** Shared by every world of a test file (it trains nothing: the model is restored). */
const classifier = CategoryClassifier.load();

export interface DialogueWorld {
  database: TestDatabase;
  clock: FakeClock;
  pipeline: PipelineService;
  engine: Engine;
  /** A web chat bound to the demo resident `code`. */
  resident(code?: string, chatId?: string): Promise<TestChat>;
  /** A console chat bound to the roster person `code` with a one-time code. */
  staff(code: string, chatId: string): Promise<TestChat>;
  dispose(): Promise<void>;
}

/** Monday 2026-11-16 09:00 Beijing time: office hours of a working day. */
export const MONDAY_MORNING = new Date('2026-11-16T09:00:00+08:00');

export interface DialogueWorldOptions extends Pick<EngineOptions, 'floodPerMinute'> {
  /** The database it runs on (default SQLite). */
  database?: TestDatabaseKind;
}

export async function dialogueWorld({ database: kind = SQLITE, ...engineOptions }: DialogueWorldOptions = {}): Promise<DialogueWorld> {
  const database = await kind.fresh({ demo: true });
  const clock = new FakeClock(MONDAY_MORNING);
  const pipeline = new PipelineService({ db: database.db, rules, clock });
  const engine = new Engine({ db: database.db, pipeline, classifier, clock, ...engineOptions });
  return {
    database,
    clock,
    pipeline,
    engine,
    async resident(code = 'R-QH-01-001-H001', chatId = 'res-1') {
      const person = await database.db.person.findUniqueOrThrow({ where: { code } });
      await database.db.channelIdentity.create({ data: { channel: 'web', platformUserId: chatId, chatId, personId: person.id } });
      return new TestChat(engine, 'web', chatId);
    },
    async staff(code, chatId) {
      const person = await database.db.person.findUniqueOrThrow({ where: { code } });
      const chat = new TestChat(engine, 'console', chatId);
      await chat.send(`绑定 ${await createBindingCode(database.db, person.id, clock.now(), 7)}`);
      return chat;
    },
    dispose: () => database.dispose(),
  };
}

/** Opens a fresh dialogue world for the running test (or beforeEach), disposed when the test ends. */
export type FreshWorld = (options?: Omit<DialogueWorldOptions, 'database'>) => Promise<DialogueWorld>;

/**
 * Declares `body` once per database (see eachDatabase), its tests each opening fresh
 * worlds on that database with `freshWorld()`: every test starts from the demo county as
 * seeded, and the world's teardown is tied to the test that opened it, so no suite keeps
 * a variable only to dispose of it.
 */
export function eachDialogueWorld(body: (freshWorld: FreshWorld, kind: TestDatabaseKind) => void): void {
  eachDatabase((kind) => body((options = {}) => forThisTest(dialogueWorld({ ...options, database: kind })), kind));
}

/** The demo resident of QH-01-001-H001 and their household's liaison in `w`, each in their own chat. */
export async function householdAndLiaison(w: DialogueWorld) {
  const { db } = w.database;
  const resident = await w.resident('R-QH-01-001-H001', 'res-1');
  const residentPerson = await db.person.findUniqueOrThrow({
    where: { code: 'R-QH-01-001-H001' },
    include: { household: { include: { pairing: { include: { liaison: true } } } } },
  });
  const household = residentPerson.household!;
  const liaisonPerson = household.pairing!.liaison;
  const liaison = await w.staff(liaisonPerson.code, 'lia-1');
  return { w, db, resident, residentPerson, household, liaisonPerson, liaison };
}

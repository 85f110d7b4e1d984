/**
 * 改类 teaches the matcher: a dispatcher's corrections in the console become labelled
 * examples of the county's matcher, at start and as they are made.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { CategoryClassifier } from '../../src/engine/classifier.js';
import { CorrectionLearner } from '../../src/engine/corrections.js';
import { actorFor, PipelineService } from '../../src/pipeline/service.js';
import { eachDatabase, type TestDatabase } from '../helpers/db.js';
import { FakeClock, rules } from '../helpers/org-fixture.js';

let database: TestDatabase;
let pipeline: PipelineService;

eachDatabase((kind) => {
  beforeEach(async () => {
    database = await kind.fresh({ demo: true });
    pipeline = new PipelineService({ db: database.db, rules, clock: new FakeClock(new Date('2026-11-16T09:00:00+08:00')) });
  });
  afterEach(async () => {
    await database.dispose();
  });

  /** A request filed under `other`, corrected by the township's dispatcher. */
  async function corrected(text: string, to: string): Promise<void> {
    const resident = await database.db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
    const filed = await pipeline.report({ residentId: resident.id, categoryCode: 'other', kind: 'help', summary: text, description: text });
    if (!filed.ok) throw new Error('refused');
    const dispatcher = await database.db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
    const outcome = await pipeline.execute(filed.ticket.number, { type: 'recategorise', categoryCode: to }, await actorFor(database.db, dispatcher.id));
    expect(outcome.ok).toBe(true);
  }

  test('past corrections are learned at start, new ones on the next round, each once', async () => {
    const matcher = CategoryClassifier.load();
    const learner = new CorrectionLearner(database.db, matcher);
    const similar = ['村里的沼气池坏了', '沼气用不上了找谁'];
    expect(similar.map((t) => matcher.classify(t).code)).not.toContain('agriculture');

    await corrected('沼气池坏了好几个月，没人来修', 'agriculture');
    await corrected('沼气池的补贴什么时候发', 'agriculture');
    expect(await learner.catchUp()).toBe(2);
    await corrected('家里的沼气不产气了，能不能派技术员来看看', 'agriculture');
    expect(await learner.catchUp()).toBe(1);
    expect(await learner.catchUp()).toBe(0);
    expect(similar.map((t) => matcher.classify(t).code)).toEqual(['agriculture', 'agriculture']);
  });

  test('corrections are read in pages of the batch size, every one of them once', async () => {
    await corrected('沼气池坏了好几个月，没人来修', 'agriculture');
    await corrected('沼气池的补贴什么时候发', 'agriculture');
    await corrected('家里的沼气不产气了，能不能派技术员来看看', 'agriculture');
    const learner = new CorrectionLearner(database.db, CategoryClassifier.load());
    expect(await learner.catchUp(2)).toBe(3);
    expect(await learner.catchUp(2)).toBe(0);
  });
});

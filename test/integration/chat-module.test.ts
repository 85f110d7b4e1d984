/**
 * A flow's own effects (`chatModule`, src/engine/flow.ts), as the engine makes them for a
 * turn (`makeEffects`, src/engine/effects.ts): nothing of the module is made before one of
 * its effects is called; then once for the turn, from the turn's own transaction, speaker
 * and language; and a new turn makes them anew.
 */
import { expect, test } from 'vitest';
import { transaction } from '../../src/db/client.js';
import { CategoryClassifier } from '../../src/engine/classifier.js';
import { makeEffects } from '../../src/engine/effects.js';
import { type ChatDeps, chatModule, type Speaker } from '../../src/engine/flow.js';
import { PipelineService } from '../../src/pipeline/service.js';
import { eachFreshDatabase } from '../helpers/db.js';
import { FakeClock, rules } from '../helpers/org-fixture.js';

const NOW = new Date('2026-11-16T09:00:00+08:00');

eachFreshDatabase((freshDatabase) => {
  test('made on the first call of one of its effects, once a turn, from the turn’s transaction, speaker and language', async () => {
    const { db } = await freshDatabase();
    const pipeline = new PipelineService({ db, rules, clock: new FakeClock(NOW) });
    const made: ChatDeps[] = [];
    // What a flow file declares: its effects' names, and how a turn makes them (here without a module to import).
    const greeter = chatModule({ greet: true, speakerOf: true }, (deps) => {
      made.push(deps);
      return Promise.resolve({ greet: () => Promise.resolve(deps.text('choice.yes')), speakerOf: () => Promise.resolve(deps.speakerId) });
    });
    const speaker: Speaker = { personId: 7, locale: 'zh', roles: ['resident'], hasHousehold: false, householdPhone: null, inConversation: false };
    const inbound = { channel: 'web' as const, chatId: 'c', senderId: 'c', messageId: 'm' };
    const classifier = CategoryClassifier.load();

    const turnTx = await transaction(db, async (tx) => {
      const effects = makeEffects({ tx, pipeline, classifier, speaker, inbound, now: NOW });
      const own = effects.of(greeter);
      expect(made).toHaveLength(0);
      expect(await own.greet()).toBe('是的');
      // The speaker switched language mid-turn: the effects speak the new one.
      speaker.locale = 'en';
      expect(await own.greet()).toBe('Yes');
      expect(effects.of(greeter)).toBe(own);
      expect(await effects.of(greeter).speakerOf()).toBe(7);
      expect(made).toHaveLength(1);
      return tx;
    });
    expect(made[0]?.tx).toBe(turnTx);
    expect(made[0]?.now).toBe(NOW);

    // The next turn: made again, from its own transaction.
    await transaction(db, async (tx) => {
      await makeEffects({ tx, pipeline, classifier, speaker: { ...speaker, personId: 8 }, inbound, now: NOW })
        .of(greeter)
        .greet();
      expect(made).toHaveLength(2);
      expect(made[1]?.tx).toBe(tx);
      expect(made[1]?.speakerId).toBe(8);
    });
  });
});

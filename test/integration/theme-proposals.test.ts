/**
 * 每月一题 proposals on both databases: the categories and words that reached more villages
 * this month than the three months before averaged, with exact figures on a hand-made
 * county (test/helpers/theme-months.ts); never a name or a number as a word.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { actorFor } from '../../src/pipeline/service.js';
import { themeProposals, type ThemeProposal } from '../../src/themes/proposals.js';
import { loadRegions } from '../../src/org/regions.js';
import { consoleWorldFor } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';
import { fileThemeMonths, ROSTER_NAME } from '../helpers/theme-months.js';

/** A proposal without its example numbers (checked on their own). */
const figuresOf = (p: ThemeProposal) => [p.key, p.label, p.villages, p.tickets, Number(p.villagesBefore.toFixed(4)), Number(p.ticketsBefore.toFixed(4))];

eachDatabase((kind) => {
  describe('theme proposals', () => {
    const world = consoleWorldFor(kind);
    let numbers: Record<string, string[]>;
    const proposals = async (code: string, month = '2026-11') => {
      const regions = await loadRegions(world.db);
      const region = [...regions.values()].find((r) => r.code === code)!;
      return themeProposals(world.db, regions, region.id, month);
    };

    beforeAll(async () => {
      numbers = await fileThemeMonths(world.app, world.clock, new Date('2026-11-16T09:00:00+08:00'));
    });

    test('the county: categories, then words, the greatest rise in villages first; a problem as widespread as before is not proposed', async () => {
      const found = await proposals('QH');
      expect(found.map(figuresOf)).toEqual([
        // Power: A B C D this month (5 requests); A, A, B before: 1 village and 4/3 requests a month.
        ['category:power', '电力照明', 4, 5, 1, 1.3333],
        ['category:sanitation', '环境卫生', 2, 2, 0, 0],
        ['word:村口', '村口', 4, 5, 0, 0],
        ['word:路灯', '路灯', 4, 5, 1, 1.3333],
        // Equal rises: by name (pinyin order).
        ['word:堆积', '堆积', 2, 2, 0, 0],
        ['word:家门口', '家门口', 2, 2, 0, 0],
        ['word:垃圾', '垃圾', 2, 2, 0, 0],
      ]);
      // Water (停水) reached A and D this month as in each month before: not proposed.
      expect(found.some((p) => p.key === 'category:water' || p.label === '停水')).toBe(false);
      // Examples: the month's newest requests of it.
      expect(found[0]!.examples).toEqual([numbers['A:power']!.at(-1), numbers['D:power']![0], numbers['C:power']![0]]);
      expect(found.find((p) => p.key === 'category:sanitation')!.examples).toEqual([numbers['B:sanitation']![0], numbers['A:sanitation']![0]]);
    });

    test('no name and no number becomes a word', async () => {
      const labels = (await proposals('QH')).map((p) => p.label);
      expect(labels.join(' ')).not.toContain(ROSTER_NAME);
      expect(labels.join(' ')).not.toMatch(/\d/);
    });

    test('a township counts its own villages only', async () => {
      const found = await proposals('QH-01');
      expect(found.map(figuresOf)).toEqual([
        ['category:power', '电力照明', 3, 4, 1, 1.3333],
        ['category:sanitation', '环境卫生', 2, 2, 0, 0],
        ['word:村口', '村口', 3, 4, 0, 0],
        ['word:路灯', '路灯', 3, 4, 1, 1.3333],
        ['word:堆积', '堆积', 2, 2, 0, 0],
        ['word:家门口', '家门口', 2, 2, 0, 0],
        ['word:垃圾', '垃圾', 2, 2, 0, 0],
      ]);
    });

    test('a merged duplicate counts nowhere: D’s 路灯 merged into C’s leaves power in three villages', async () => {
      const dispatcher = await world.db.person.findUniqueOrThrow({ where: { code: 'DSP-QH' } });
      const merged = await world.app.pipeline.execute(numbers['D:power']![0]!, { type: 'merge', into: numbers['C:power']![0]! }, await actorFor(world.db, dispatcher.id));
      expect(merged.ok).toBe(true);
      const power = (await proposals('QH')).find((p) => p.key === 'category:power')!;
      expect(figuresOf(power)).toEqual(['category:power', '电力照明', 3, 4, 1, 1.3333]);
      expect(power.examples).not.toContain(numbers['D:power']![0]);
    });

    test('October against July to September; a village alone proposes nothing (one village is not several)', async () => {
      // October: power in B only (one village); water in A and D, against none in July and
      // two villages in August and September: 4/3 a month.
      expect((await proposals('QH', '2026-10')).map(figuresOf)).toEqual([
        ['category:water', '供水排水', 2, 2, 1.3333, 1.3333],
        ['word:停水', '停水', 2, 2, 1.3333, 1.3333],
      ]);
      expect(await proposals('QH-01-001')).toEqual([]);
    });
  });
});

/**
 * Every path where a resident's text reaches someone else goes through the one scrubber:
 * the public board, the monthly report (its 重办事项 table), the queue and its CSV, the
 * handler's ping. The forms below are the ones seen when the product was tried; the
 * names are of people on the roster of other villages; the text is stored normalised.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { renderMonthlyReport } from '../../src/report/html.js';
import { buildMonthlyReport } from '../../src/report/monthly.js';
import { actorFor } from '../../src/pipeline/service.js';
import { type ConsoleClient, consoleWorldFor, loggedIn, report } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

const FORMS = [
  '１３９１２３４５６７８',
  '139.1234.5678',
  '139 - 1234 - 5678',
  '139_1234_5678',
  'tel13912345678',
  '一三九一二三四五六七八',
  '139\u20601234\u20605678',
  '139\u00AD1234\u00AD5678',
  '139\u061C1234\u061C5678',
  '139\u034F1234\u034F5678',
  '139\u180E1234\u180E5678',
  '139\u{E0031}1234\u{E0032}5678',
];

let dsp: ConsoleClient;
const numbers: string[] = [];
/** A roster name from another village than the reporters', written apart. */
let stranger: string;

/** The digits left in a text (ASCII, full-width, Chinese numerals). */
function digitsOf(text: string): string {
  const chinese: Record<string, string> = { 〇: '0', 零: '0', 一: '1', 二: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };
  return [...text.normalize('NFKC')].map((c) => (/[0-9]/.test(c) ? c : (chinese[c] ?? ''))).join('');
}

function han(text: string): string {
  return [...text].filter((c) => /\p{Script=Han}/u.test(c)).join('');
}

eachDatabase((kind) => {
  const world = consoleWorldFor(kind);

  beforeAll(async () => {
    numbers.length = 0;
    dsp = await loggedIn(world.base, 'dsp-qh-01');
    // Someone of 禾丰镇's roster: another township, another village.
    stranger = (await world.db.person.findFirstOrThrow({ where: { code: { startsWith: 'R-QH-02-' } } })).name;
    const liaison = await world.db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
    for (const [i, form] of FORMS.entries()) {
      const text = `\uFEFF路灯坏了，找${[...stranger].join(' ')}，电话${form}，邮箱 luo.limin＠qq.com，户号 QH-01-001-H001`;
      const number = await report(world.app, 'R-QH-01-001-H001', text.slice(0, 60), 'power', { description: text });
      numbers.push(number);
      if (i < 3) {
        // Three go round once more (重办), for the report's table of reopened items.
        const by = await actorFor(world.db, liaison.id);
        await world.app.pipeline.execute(number, { type: 'accept' }, by);
        await world.app.pipeline.execute(number, { type: 'resolve', result: '已修' }, by);
        const supervisor = await world.db.person.findUniqueOrThrow({ where: { code: 'SUP-QH' } });
        await world.app.pipeline.execute(number, { type: 'reopen', reason: `复查仍不亮，${stranger}说电话 ${form}` }, await actorFor(world.db, supervisor.id));
      }
      await dsp.page(`/console/tickets/${number}`);
      // Published as staff would: the summary as they wrote it (the board scrubs it all the same).
      expect((await dsp.post(`/console/tickets/${number}/publish`, { summary: text.slice(1, 80) })).status).toBe(303);
    }
  });

  describe('no path lets them through', () => {
    test('stored text is normalised: no U+FEFF or invisible characters, full-width digits folded', async () => {
      const t = await world.db.ticket.findUniqueOrThrow({ where: { number: numbers[0]! } });
      expect(t.summary).not.toMatch(/[\uFEFF\u2060\u00AD\u061C\u180E]/);
      expect(t.description).toContain('13912345678');
    });

    test('the public board', async () => {
      const page = await (await fetch(`${world.base}/public/QH-01`)).text();
      for (const number of numbers) expect(page).toContain(number);
      expect(digitsOf(page)).not.toContain('12345678');
      expect(han(page)).not.toContain(stranger);
      expect(page.toLowerCase()).not.toContain('luo.limin');
      expect(page).not.toContain('QH-01-001-H001');
    });

    test('the monthly report, its reopened items included', async () => {
      const built = await buildMonthlyReport(world.db, { regionCode: 'QH-01', month: '2026-11', now: world.clock.now() });
      expect(built.reopened.items.length).toBeGreaterThanOrEqual(3);
      const page = renderMonthlyReport(built);
      expect(digitsOf(page)).not.toContain('12345678');
      expect(han(page)).not.toContain(stranger);
      expect(page).not.toContain('QH-01-001-H001');
    });

    test('the queue and its CSV', async () => {
      const queue = await dsp.page('/console/queue');
      const csv = await (await dsp.get('/console/queue.csv')).text();
      for (const text of [queue.text, csv]) {
        expect(digitsOf(text)).not.toContain('12345678');
        expect(han(text)).not.toContain(stranger);
        expect(text.toLowerCase()).not.toContain('luo.limin');
      }
    });

    test('the handler’s ping: the summary masked, the contact phone given on its own', async () => {
      const pings = await world.db.outboxMessage.findMany({ where: { template: 'ticket.assigned', ticket: { number: { in: numbers } } } });
      expect(pings.length).toBe(numbers.length);
      for (const ping of pings) expect(digitsOf(String((JSON.parse(ping.params) as { summary: string }).summary))).not.toContain('12345678');
    });
  });
});

/**
 * Each console form is acted on once (src/web/console/form-once.ts): the same form posted
 * again — a double click, back and resubmit — is refused and changes nothing, while the
 * page opened anew gives new forms. Found by trying the console as a dispatcher: the
 * dispatch form posted three times sent three 【派单】 pings, a reply posted twice reached
 * the resident twice, and a walk-in registered twice became two tickets.
 */
import { expect, test } from 'vitest';
import { sqlOf } from '../../src/db/client.js';
import { consoleFormRetention } from '../../src/web/console/form-once.js';
import { consoleWorldFor, loggedIn, report } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

/** The one-time value of the form on `html` that posts to `action`. */
function onceOf(html: string, action: string): string {
  const form = html.split('<form').find((f) => f.includes(`action="${action}"`));
  const once = form && /name="_once" value="([^"]+)"/.exec(form)?.[1];
  if (!once) throw new Error(`no form posting to ${action} with a one-time value`);
  return once;
}

eachDatabase((kind) => {
  const world = consoleWorldFor(kind);

  test('the same form posted twice is acted on once: the second post is refused and changes nothing', async () => {
    const dsp = await loggedIn(world.base, 'dsp-qh-01');
    const liaison = await world.db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-02' } });
    const number = await report(world.app, 'R-QH-01-001-H001', '村口的路灯坏了好几天');
    const page = await dsp.page(`/console/tickets/${number}`);
    // Every form on the page has a value of its own.
    const values = [...page.text.matchAll(/name="_once" value="([^"]+)"/g)].map((m) => m[1]);
    expect(values.length).toBeGreaterThan(3);
    expect(new Set(values).size).toBe(values.length);

    const dispatch = `/console/tickets/${number}/dispatch`;
    const fields = { target: `p${liaison.id}`, note: '换人处理', _once: onceOf(page.text, dispatch) };
    expect((await dsp.post(dispatch, fields)).status).toBe(303);
    const again = await dsp.post(dispatch, fields);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('这张表单已经提交过，没有再办理一次');
    const ticket = await world.db.ticket.findUniqueOrThrow({ where: { number } });
    expect(await world.db.ticketEvent.count({ where: { ticketId: ticket.id, type: 'reassigned' } })).toBe(1);
    expect(await world.db.outboxMessage.count({ where: { ticketId: ticket.id, template: 'ticket.assigned', recipientId: liaison.id } })).toBe(1);

    // The page opened anew: a new form, acted on.
    const reply = `/console/tickets/${number}/reply`;
    const fresh = await dsp.page(`/console/tickets/${number}`);
    const answer = { text: '明天上午九点到场', _once: onceOf(fresh.text, reply) };
    expect((await dsp.post(reply, answer)).status).toBe(303);
    expect((await dsp.post(reply, answer)).status).toBe(409);
    expect(await world.db.outboxMessage.count({ where: { ticketId: ticket.id, template: 'ticket.reply_resident' } })).toBe(1);

    // Remembered for a day, then forgotten by the retention.
    const remembered = await world.db.consoleFormPost.count();
    expect(remembered).toBeGreaterThanOrEqual(2);
    const now = world.app.pipeline.clock.now();
    expect((await consoleFormRetention.forget(sqlOf(world.db), now)).deleted).toBe(0);
    expect((await consoleFormRetention.forget(sqlOf(world.db), new Date(now.getTime() + 25 * 3_600_000))).deleted).toBe(remembered);
  });
});

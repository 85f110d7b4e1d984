/**
 * The WeChat channel with a real Wechaty on `wechaty-puppet-mock`: no network, no token.
 * The mocker plays the residents (contacts saying things to the bot's account); what the
 * bot said is read back from the mocker's message payloads.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import { type ConsoleAdapter } from '../../bots/console/console-adapter.js';
import type { WechatAdapter } from '../../bots/wechat/wechat-adapter.js';
import { parseMessage, parseRoomIntake, renderText, type WechatMessageLike } from '../../bots/wechat/wechat-parse.js';
import { type App, startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { consoleDriver, liaisonTerminal, runTwoSidedLoop } from '../helpers/two-sided.js';
import { WechatWorld } from '../helpers/wechat-world.js';

const TICKET = /已受理，编号 (MQ-\d{4}-\d{6})/;
const INTAKE = { roomIntake: ['东湖村群'] };

let dir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'minqing-wechat-'));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function demoConfig(name: string) {
  const file = join(dir, `${name}.db`);
  copyFileSync(inject('sqliteDemoTemplate'), file);
  return parseConfig({ DATABASE_URL: `file:${file}`, SCHEDULER_INTERVAL_MS: '200', LOG_LEVEL: 'silent' });
}

const base: WechatMessageLike = { id: 'msg-1', kind: 'text', text: '村口的路灯坏了好几天', talkerId: 'wxid_limin', talkerName: '丽敏', self: false };

describe('parseMessage on plain messages', () => {
  test('a private text, with the Wechaty message id; a number stays text', () => {
    expect(parseMessage(base, INTAKE)).toEqual({
      ok: true,
      inbound: { channel: 'wechat', chatId: 'wxid_limin', senderId: 'wxid_limin', messageId: 'msg-1', text: '村口的路灯坏了好几天', senderName: '丽敏' },
    });
    const numbered = parseMessage({ ...base, text: ' 1 ' }, INTAKE);
    expect(numbered.ok && numbered.inbound.text).toBe('1');
  });

  test('an image becomes a photo ref (its URL, else the message id)', () => {
    const image = parseMessage({ ...base, id: 'msg-2', kind: 'image', text: '' }, INTAKE);
    expect(image.ok && image.inbound.media).toEqual([{ kind: 'photo', ref: 'wechat-message:msg-2' }]);
    const withUrl = parseMessage({ ...base, kind: 'image', mediaUrl: 'https://example.org/a.jpg' }, INTAKE);
    expect(withUrl.ok && withUrl.inbound.media).toEqual([{ kind: 'photo', ref: 'https://example.org/a.jpg' }]);
  });

  test("the bot's own message and unsupported kinds are declined", () => {
    expect(parseMessage({ ...base, self: true }, INTAKE)).toEqual({ ok: false, reason: 'self' });
    expect(parseMessage({ ...base, kind: 'other' }, INTAKE)).toEqual({ ok: false, reason: 'unsupported' });
  });

  test('a room message: declined without a mention or outside the intake rooms; accepted with both', () => {
    const room = { id: 'r1@chatroom', topic: '东湖村群', mentionsSelf: false, textWithoutMentions: '路灯坏了' };
    expect(parseMessage({ ...base, text: '路灯坏了', room }, INTAKE)).toEqual({ ok: false, reason: 'room' });
    expect(parseMessage({ ...base, text: '@民情 路灯坏了', room: { ...room, topic: '西山村群', mentionsSelf: true } }, INTAKE)).toEqual({ ok: false, reason: 'room' });
    const accepted = parseMessage({ ...base, text: '@民情 路灯坏了', room: { ...room, mentionsSelf: true } }, INTAKE);
    expect(accepted.ok && accepted.inbound).toMatchObject({ chatId: 'wxid_limin', senderId: 'wxid_limin', text: '路灯坏了' });
  });

  test('choices render as a numbered list; the intake list splits on commas', () => {
    expect(renderText('是路灯的问题吗？', [{ label: '是的', payload: 'yes' }, { label: '选择其他类别', payload: 'other' }])).toBe('是路灯的问题吗？\n1. 是的\n2. 选择其他类别');
    expect(parseRoomIntake(' 东湖村群，西山村群 ,')).toEqual(['东湖村群', '西山村群']);
  });
});

async function startTracked(config: ReturnType<typeof demoConfig>, adapters: (WechatAdapter | ConsoleAdapter)[]): Promise<App> {
  const app = await startApp(config, { adapters });
  cleanups.push(() => app.stop());
  return app;
}

describe('a resident on WeChat (puppet mock)', () => {
  test('reports a street-light outage with numbered replies and gets the ticket number; a re-delivered message has one effect', async () => {
    const world = new WechatWorld(join(dir, 'uploads'));
    const wechat = world.adapter();
    expect(await wechat.send({ channel: 'wechat', chatId: 'nobody', text: 'x', choices: [], locale: 'zh' })).toEqual({ status: 'offline' });
    const app = await startTracked(demoConfig('report'), [wechat]);
    world.login();
    await expect.poll(() => wechat.loggedIn).toBe(true);
    const { db } = app.database;
    const resident = world.person('丽敏');
    const person = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
    await db.channelIdentity.create({ data: { channel: 'wechat', platformUserId: resident.id, chatId: resident.id, personId: person.id, lastUsedAt: new Date() } });

    resident.type('村口的路灯坏了好几天');
    await resident.waitFor('电力照明');
    expect(resident.received().some((t) => /\n1\. 是的/.test(t))).toBe(true);
    for (const label of ['是的', '就在我家附近', '跳过', '用登记的电话']) {
      const before = resident.received().length;
      resident.choose(label);
      await resident.waitReplies(before);
    }
    const submit = resident.choose('提交');
    await resident.waitFor(TICKET);

    // The same message delivered again: no second ticket, no second reply.
    const before = resident.received().length;
    world.puppet.emit('message', { messageId: submit });
    resident.type('/help');
    await resident.waitReplies(before);
    await new Promise((r) => setTimeout(r, 300));
    expect(resident.transcript().match(new RegExp(TICKET.source, 'g'))).toHaveLength(1);
    expect(await db.ticket.count({ where: { residentId: person.id } })).toBe(1);

    // A room message without a mention gets nothing.
    const room = world.mocker.createRoom({ topic: '东湖村群', memberIdList: [world.user.id, resident.id] });
    const quiet = resident.received().length;
    resident.contact.say('路灯又坏了').to(room);
    await new Promise((r) => setTimeout(r, 300));
    expect(resident.received()).toHaveLength(quiet);
  });
});

describe('resident on WeChat, liaison on the console', () => {
  test('bind → report → accept → resolve → rating 满意 → closed', async () => {
    const config = demoConfig('two-sided');
    const world = new WechatWorld(join(dir, 'uploads'));
    const app = await startTracked(config, [world.adapter()]);
    world.login();
    const terminal = await liaisonTerminal(app, (adapters) => startTracked(config, adapters));
    const resident = world.person('丽敏');
    await runTwoSidedLoop(app, resident.driver(), consoleDriver(terminal), { progress: false, ticket: TICKET });
  });
});

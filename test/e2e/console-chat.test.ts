/**
 * The console channel: two terminals (two processes' worth of app) against one database;
 * each push appears in the terminal of the chat it is for.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { ConsoleAdapter, formatOutbound, parseLine } from '../../bots/console/console-adapter.js';
import { type App, startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { freshSqlite, type TestDatabase } from '../helpers/db.js';
import { Terminal } from '../helpers/terminal.js';

describe('console adapter, pure parts', () => {
  test('a line becomes an Inbound; /photo and /loc become media and a location', () => {
    expect(parseLine('路灯坏了', 'as:X', 'm1')).toEqual({ channel: 'console', chatId: 'as:X', senderId: 'as:X', messageId: 'm1', text: '路灯坏了' });
    expect(parseLine('/photo /tmp/a.jpg', 'c', 'm2').media).toEqual([{ kind: 'photo', ref: '/tmp/a.jpg' }]);
    expect(parseLine('/loc 东湖村村口', 'c', 'm3').location).toEqual({ label: '东湖村村口' });
  });

  test('choices are numbered', () => {
    expect(
      formatOutbound({
        channel: 'console',
        chatId: 'c',
        locale: 'zh',
        text: '对吗？',
        choices: [
          { label: '是的', payload: 'yes' },
          { label: '否', payload: 'no' },
        ],
      }),
    ).toBe('🤖 对吗？\n  1. 是的\n  2. 否');
  });

  test('photos and voice notes are shown by reference, each with its sign', () => {
    const photo = `/uploads/${'a'.repeat(64)}.jpg`;
    const voice = `/uploads/${'b'.repeat(64)}.ogg`;
    expect(
      formatOutbound({
        channel: 'console',
        chatId: 'c',
        locale: 'zh',
        text: '进展',
        choices: [],
        media: [
          { kind: 'photo', ref: photo },
          { kind: 'voice', ref: voice },
        ],
      }),
    ).toBe(`🤖 进展\n  📷 ${photo}\n  🎤 ${voice}`);
  });
});

let database: TestDatabase | undefined;
const apps: App[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
  await database?.dispose();
});

describe('two terminals on one database', () => {
  test('the resident reports in one; the ping appears in the liaison’s, who accepts; the resident hears of it', async () => {
    database = await freshSqlite({ demo: true });
    const url = database.url;
    const config = parseConfig({ DATABASE_URL: url, SCHEDULER_INTERVAL_MS: '200', LOG_LEVEL: 'silent' });
    const db = database.db;
    const resident = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' }, include: { household: { include: { pairing: true } } } });
    const liaisonId = resident.household?.pairing?.liaisonId ?? 0;
    const liaison = await db.person.findUniqueOrThrow({ where: { id: liaisonId } });
    for (const [person, chatId] of [
      [resident, 'as:resident'],
      [liaison, 'as:liaison'],
    ] as const) {
      await db.channelIdentity.create({ data: { channel: 'console', platformUserId: chatId, chatId, personId: person.id } });
    }
    const residentTerm = new Terminal();
    const liaisonTerm = new Terminal();
    for (const [term, chatId] of [
      [residentTerm, 'as:resident'],
      [liaisonTerm, 'as:liaison'],
    ] as const) {
      const adapter = new ConsoleAdapter({ chatId, input: term.input, output: term.output });
      apps.push(await startApp(config, { adapters: [adapter] }));
    }

    residentTerm.type('村口的路灯坏了好几天');
    await residentTerm.waitFor('电力照明');
    for (const answer of ['1', '1', '1', '1', '1']) residentTerm.type(answer); // yes, at home, skip photo, registered phone, submit
    await residentTerm.waitFor(/已受理，编号 (MQ-\d{4}-\d{6})/);
    const number = /已受理，编号 (MQ-\d{4}-\d{6})/.exec(residentTerm.printed)?.[1] ?? '';

    await liaisonTerm.waitFor(`【派单】${number}`);
    expect(residentTerm.printed).not.toContain('【派单】');
    liaisonTerm.type('1'); // 签收 on the ping
    await liaisonTerm.waitFor(`已签收 ${number}`);
    await residentTerm.waitFor(`您的诉求 ${number} 已由经办人签收`);
    expect(liaisonTerm.printed).not.toContain('已由经办人签收');
  });
});

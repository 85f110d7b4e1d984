/**
 * `npm run chat`: talk to Minqing in this terminal as a new resident;
 * `npm run chat -- --as PERSON_CODE`: as that person (a liaison, a resident of the demo
 * county…). Pushes for this chat appear here. Type 帮助 / help for the commands;
 * `/photo PATH` sends a photo, `/loc PLACE` a location; Ctrl-D or Ctrl-C quits.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { openPrepared, startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DataError } from '../../src/errors.js';
import { setLogLevel } from '../../src/log.js';
import { adoptWaiting } from '../../src/pipeline/outbox.js';
import { runCli } from '../../src/cli/run-cli.js';
import { ConsoleAdapter } from './console-adapter.js';
await runCli(async () => {
    // Listen for the stop first: Ctrl-C while starting up still stops cleanly.
    const stopRequested = new Promise((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
        process.stdin.once('end', resolve);
    });
    const { values } = parseArgs({ options: { as: { type: 'string' } } });
    const config = loadConfig();
    // The terminal is the conversation: keep logs to warnings unless asked otherwise.
    setLogLevel(process.env['LOG_LEVEL'] ? config.LOG_LEVEL : 'warn');
    const chatId = values.as ? `as:${values.as}` : `user:${userInfo().username}`;
    if (values.as) {
        // Someone at this machine's terminal can read the database anyway: bind the chat directly.
        const database = await openPrepared(config);
        try {
            const person = await database.db.person.findUnique({ where: { code: values.as } });
            if (!person)
                throw new DataError(`没有编号为 ${values.as} 的人员 no person with code ${values.as}`);
            await database.db.channelIdentity.upsert({
                where: { channel_platformUserId: { channel: 'console', platformUserId: chatId } },
                create: { channel: 'console', platformUserId: chatId, chatId, personId: person.id, lastUsedAt: new Date() },
                update: { personId: person.id, lastUsedAt: new Date(), unreachableAt: null },
            });
            // Messages that waited for this person to have a chat come here.
            await adoptWaiting(database.db, person.id, { channel: 'console', chatId }, new Date());
            console.log(`— ${person.name} (${person.code})`);
        }
        finally {
            await database.close();
        }
    }
    const adapter = new ConsoleAdapter({ chatId });
    const app = await startApp({ ...config, SCHEDULER_INTERVAL_MS: Math.min(config.SCHEDULER_INTERVAL_MS, 1000) }, { adapters: [adapter] });
    console.log('民情 Minqing — 输入“帮助”查看用法 (type "help"); Ctrl-D 退出 quits.');
    await stopRequested;
    await adapter.drain();
    await app.stop();
});

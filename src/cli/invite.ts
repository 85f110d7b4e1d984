/**
 * `npm run invite -- PERSON_CODE`: prints a one-time code that binds a chat to that
 * person (send `绑定 CODE` or `/bind CODE` to the bot). Codes expire after
 * BINDING_CODE_DAYS days and work once.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { ConfigError, DataError } from '../errors.js';
import { createBindingCode } from '../org/invite.js';
import { runCli, withDatabase } from './run-cli.js';

await runCli(async () => {
  const { positionals } = parseArgs({ allowPositionals: true });
  const code = positionals[0];
  if (!code || positionals.length > 1) throw new ConfigError(['usage: npm run invite -- PERSON_CODE (e.g. L-QH-01-001-01)']);
  const config = loadConfig();
  await withDatabase(config.DATABASE_URL, async (database) => {
    const person = await database.db.person.findUnique({ where: { code } });
    if (!person) throw new DataError(`没有编号为 ${code} 的人员 no person with code ${code}`);
    const binding = await createBindingCode(database.db, person.id, new Date(), config.BINDING_CODE_DAYS);
    console.log(`${binding}`);
    console.error(
      `发送“绑定 ${binding}”给机器人即可绑定（${config.BINDING_CODE_DAYS} 天内有效，仅限一次）。Send "/bind ${binding}" to the bot (valid ${config.BINDING_CODE_DAYS} days, once).`,
    );
  });
});

/**
 * `npm run user:add -- --username NAME --person PERSON_CODE [--reset]`: creates a login
 * to the staff web console for a person of the roster (or, with --reset, sets a new
 * password on an existing login and ends its sessions).
 *
 * The password never goes on the command line (it would stay in the shell history and
 * show in `ps`): it comes from the environment variable MINQING_PASSWORD, or is asked
 * for twice, hidden, on a terminal.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { ConfigError, DataError } from '../errors.js';
import { passwordProblem, saveAccount } from '../org/staff-accounts.js';
import { runCli, withDatabase } from './run-cli.js';

const USAGE = 'usage: npm run user:add -- --username NAME --person PERSON_CODE [--reset]  (password from MINQING_PASSWORD or asked on the terminal)';

/** Reads one line from the terminal without echoing it. */
function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stderr.write(prompt);
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    let typed = '';
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new DataError('已取消 cancelled'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    input.on('data', onData);
  });
}

/** The new password: from MINQING_PASSWORD, or typed twice on a terminal. */
async function readPassword(): Promise<string> {
  const fromEnv = process.env['MINQING_PASSWORD'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) {
    throw new ConfigError([
      'MINQING_PASSWORD: 请在环境变量 MINQING_PASSWORD 中提供密码，或在终端中运行以输入密码 set the password in MINQING_PASSWORD, or run this in a terminal to type it',
    ]);
  }
  const first = await askHidden('新密码 new password: ');
  const problem = passwordProblem(first);
  if (problem) throw new DataError(problem);
  const second = await askHidden('再输入一次 again: ');
  if (first !== second) throw new DataError('两次输入的密码不一致 the two passwords differ');
  return first;
}

await runCli(async () => {
  let values: { username?: string; person?: string; reset?: boolean };
  try {
    ({ values } = parseArgs({
      options: { username: { type: 'string' }, person: { type: 'string' }, reset: { type: 'boolean', default: false } },
      allowPositionals: false,
    }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const password = /password/i.test(reason) ? ' 密码不能写在命令行上 the password may not be given on the command line;' : '';
    throw new ConfigError([`${reason};${password} ${USAGE}`]);
  }
  const { username, person } = values;
  if (!username || !person) throw new ConfigError([USAGE]);
  const config = loadConfig();
  const password = await readPassword();
  return withDatabase(config.DATABASE_URL, async (database) => {
    const saved = await saveAccount(database.db, { username, personCode: person, password, reset: values.reset ?? false }, new Date());
    console.log(
      saved.created
        ? `已创建控制台账号 ${saved.username}（${person}）。 console account ${saved.username} created for ${person}.`
        : `已修改 ${saved.username} 的密码，原有登录已失效。 password of ${saved.username} changed; its sessions were ended.`,
    );
    return 0;
  });
});

/**
 * Logins to the staff web console. An account belongs to a person of the roster; what
 * it may see follows from that person's staff roles. Passwords are stored only as
 * argon2id hashes.
 */
import argon2 from 'argon2';
import { type Db, sqlOf } from '../db/client.js';
import { defineQuery, first } from '../db/sql.js';
import { DataError } from '../errors.js';

const accountNamedQuery = defineQuery('staff_account_named', (db, p: { username: string }) =>
  db.selectFrom('StaffAccount').select(['id', 'username', 'personId', 'passwordHash', 'disabledAt']).where('username', '=', p.username),
);

/** The console account named `username`, if any: for logging in, making accounts and API keys that act as one. */
export function staffAccountNamed(
  db: Db,
  username: string,
): Promise<{ id: number; username: string; personId: number; passwordHash: string; disabledAt: Date | null } | undefined> {
  return first(sqlOf(db), accountNamedQuery, { username });
}

/** The shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 10;
/** Longer ones are refused before hashing (nobody types 256 characters). */
export const MAX_PASSWORD_LENGTH = 256;

/** A username: letters, digits, dot, dash, underscore; 3–64 characters (stored lower-case). */
export const USERNAME_RE = /^[A-Za-z0-9._-]{3,64}$/;

/** Roles that give a person something to do in the console (a mediator: only the mediation cases they mediate). */
export const CONSOLE_ROLES = ['dispatcher', 'supervisor', 'admin', 'department_handler', 'grid_leader', 'mediator'] as const;

/**
 * argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 80 ms per
 * login on a small server, and memory-hard enough to make guessing on GPUs expensive.
 * The parameters travel inside each hash (PHC string), so raising them later only
 * affects passwords set from then on.
 */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a password with argon2id (PHC string). */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

/** What is wrong with a new password, in Chinese and English; null when it will do. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `密码至少 ${MIN_PASSWORD_LENGTH} 个字符 the password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `密码最多 ${MAX_PASSWORD_LENGTH} 个字符 the password may have at most ${MAX_PASSWORD_LENGTH} characters`;
  if (password.trim() !== password) return '密码首尾不能有空格 the password may not start or end with a space';
  return null;
}

export interface AccountInput {
  username: string;
  personCode: string;
  password: string;
  /** Change the password of an existing account (and end its sessions) instead of refusing. */
  reset?: boolean;
}

/**
 * Creates a console account for a person of the roster, or with `reset` sets a new
 * password on an existing one (ending its sessions, and enabling it again).
 * @throws DataError with a bilingual message when the input cannot be used.
 */
export async function saveAccount(db: Db, input: AccountInput, now: Date): Promise<{ created: boolean; username: string }> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME_RE.test(username)) {
    throw new DataError(`用户名只能包含字母、数字和 . _ -，3 到 64 个字符 the username may hold letters, digits and . _ - (3 to 64 characters): ${input.username}`);
  }
  const problem = passwordProblem(input.password);
  if (problem) throw new DataError(problem);
  const person = await db.person.findUnique({ where: { code: input.personCode }, include: { roles: true } });
  if (!person) throw new DataError(`没有编号为 ${input.personCode} 的人员 no person with code ${input.personCode}`);
  if (!person.roles.some((r) => (CONSOLE_ROLES as readonly string[]).includes(r.role))) {
    throw new DataError(
      `${input.personCode} 没有工作人员角色（群众工作室、督办、管理员、部门窗口、网长或调解员），登录后什么也看不到 ${input.personCode} holds no staff role (dispatcher, supervisor, admin, department handler, grid leader or mediator)`,
    );
  }
  const existing = await staffAccountNamed(db, username);
  if (existing && !input.reset) {
    throw new DataError(`用户名 ${username} 已存在；要修改密码请加 --reset the username ${username} exists; add --reset to change its password`);
  }
  if (!existing && input.reset) throw new DataError(`没有用户名为 ${username} 的账号 there is no account ${username}`);
  if (existing && existing.personId !== person.id) {
    throw new DataError(`账号 ${username} 属于另一位人员 the account ${username} belongs to another person`);
  }
  const passwordHash = await hashPassword(input.password);
  if (existing) {
    await db.$transaction([
      db.staffAccount.update({ where: { id: existing.id }, data: { passwordHash, disabledAt: null } }),
      db.consoleSession.deleteMany({ where: { accountId: existing.id } }),
    ]);
    return { created: false, username };
  }
  await db.staffAccount.create({ data: { username, passwordHash, personId: person.id, createdAt: now } });
  return { created: true, username };
}

/**
 * The password of the demo accounts. It is printed in the README and is for the demo
 * county only: `SEED_DEMO` loads these accounts into an empty database, never elsewhere.
 */
export const DEMO_PASSWORD = 'minqing-demo';

/** The demo county's console accounts: username → person code. */
export const DEMO_ACCOUNTS: readonly { username: string; personCode: string }[] = [
  { username: 'dsp-qh-01', personCode: 'DSP-QH-01' },
  { username: 'dsp-qh-02', personCode: 'DSP-QH-02' },
  // The county's 群众工作中心: what the townships escalate waits for it to dispatch or hand back.
  { username: 'dsp-qh', personCode: 'DSP-QH' },
  { username: 'sup-qh', personCode: 'SUP-QH' },
  { username: 'adm-qh', personCode: 'ADM-QH' },
  // 东湖村's liaison and grid leader, who mediates its disputes too (the role comes with the demo's disputes, src/org/demo-mediation.ts).
  { username: 'med-qh-01-001', personCode: 'L-QH-01-001-01' },
];

/** Adds the demo accounts that are missing (a changed password is left alone). */
export async function seedDemoAccounts(db: Db, now: Date): Promise<number> {
  let added = 0;
  for (const { username, personCode } of DEMO_ACCOUNTS) {
    if (await staffAccountNamed(db, username)) continue;
    if (!(await db.person.findUnique({ where: { code: personCode } }))) continue;
    await saveAccount(db, { username, personCode, password: DEMO_PASSWORD }, now);
    added++;
  }
  return added;
}

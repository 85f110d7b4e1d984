/**
 * Runs one of the project's commands (src/cli/*.ts) as `npm run` would, in a child process
 * on a test's database: in a clean folder, so no .env of the developer's checkout is read.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const tsx = join(root, 'node_modules/.bin/tsx');

/** What the command printed, and its exit code. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `src/cli/<script>.ts ARGS` in `cwd` on the database at `databaseUrl`. */
export function runCli(script: string, args: string[], options: { cwd: string; databaseUrl: string }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [join(root, 'src/cli', `${script}.ts`), ...args], {
      cwd: options.cwd,
      env: { PATH: process.env['PATH'] ?? '', HOME: options.cwd, DATABASE_URL: options.databaseUrl, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

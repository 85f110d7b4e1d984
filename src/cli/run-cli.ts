/**
 * The common frame of every command-line entry point: known errors become short lines
 * on stderr and an exit code, never a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type Database, openDatabase } from '../db/client.js';
import { ConfigError, DataError } from '../errors.js';

/** Exit codes: 1 for a failure at run time, 2 for bad settings or arguments. */
export async function runCli(main: () => Promise<number | void>): Promise<void> {
  try {
    const code = await main();
    process.exitCode = code ?? 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const line of error.problems) console.error(`配置错误 config error: ${line}`);
      process.exitCode = 2;
    } else if (error instanceof DataError) {
      console.error(`错误 error: ${error.message}`);
      process.exitCode = 1;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  }
}

/** Opens the database at `url` (migrating it, as every command does), runs `work` on it and closes it, whatever happens. */
export async function withDatabase<T>(url: string, work: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(url);
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

/**
 * Takes `--name VALUE` out of `args` (so what remains can be checked for strays) and
 * returns VALUE, or undefined when the option is absent.
 * @throws ConfigError when the option has no value.
 */
export function takeOption(args: string[], name: string, usage: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new ConfigError([`${name} needs a value; ${usage}`]);
  args.splice(index, 2);
  return value;
}

/**
 * Reads `COMMAND [OPERAND…] [--option VALUE…]`, the command line of the tools that manage
 * records by name (apikey, webhook): node's parseArgs, its complaints (an unknown option, a
 * missing value) turned into a ConfigError that shows the usage. `optionless` says no option
 * was given, which the commands that take only a NAME (list, revoke, pause…) insist on.
 */
export function parseCommandLine<const O extends NonNullable<ParseArgsConfig['options']>>(options: O, usage: string) {
  let parsed;
  try {
    parsed = parseArgs({ options, allowPositionals: true });
  } catch (error) {
    throw new ConfigError([`${error instanceof Error ? error.message : String(error)}; ${usage}`]);
  }
  const [command, ...operands] = parsed.positionals;
  return { command, operands, values: parsed.values, optionless: Object.keys(parsed.values).length === 0 };
}

/** A repeatable option whose values may also list items with commas (`--scope a,b --scope c`), as one list. */
export function commaList(values: readonly string[]): string[] {
  return values.flatMap((value) => value.split(',')).map((item) => item.trim());
}

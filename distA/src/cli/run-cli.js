/**
 * The common frame of every command-line entry point: known errors become short lines
 * on stderr and an exit code, never a stack trace.
 */
import { ConfigError, DataError } from '../errors.js';
/** Exit codes: 1 for a failure at run time, 2 for bad settings or arguments. */
export async function runCli(main) {
    try {
        const code = await main();
        process.exitCode = code ?? 0;
    }
    catch (error) {
        if (error instanceof ConfigError) {
            for (const line of error.problems)
                console.error(`配置错误 config error: ${line}`);
            process.exitCode = 2;
        }
        else if (error instanceof DataError) {
            console.error(`错误 error: ${error.message}`);
            process.exitCode = 1;
        }
        else {
            console.error(error);
            process.exitCode = 1;
        }
    }
}
/**
 * Takes `--name VALUE` out of `args` (so what remains can be checked for strays) and
 * returns VALUE, or undefined when the option is absent.
 * @throws ConfigError when the option has no value.
 */
export function takeOption(args, name, usage) {
    const index = args.indexOf(name);
    if (index < 0)
        return undefined;
    const value = args[index + 1];
    if (value === undefined || value.startsWith('--'))
        throw new ConfigError([`${name} needs a value; ${usage}`]);
    args.splice(index, 2);
    return value;
}

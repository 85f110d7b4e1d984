import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
/**
 * Environment for running the Prisma CLI on a machine with no internet.
 *
 * The CLI downloads a native schema engine on first use; that download fails offline.
 * `prisma generate` never runs the engine, so when the real binary is missing we point
 * Prisma's documented override at an existing file and it skips the download. On a
 * machine where @prisma/engines did fetch the binary we leave Prisma alone.
 */
export function prismaCliEnv(base = process.env) {
    if (base['PRISMA_SCHEMA_ENGINE_BINARY'])
        return base;
    const require = createRequire(import.meta.url);
    const enginesDir = dirname(require.resolve('@prisma/engines/package.json'));
    const hasBinary = existsSync(enginesDir) && readdirSync(enginesDir).some((f) => f.startsWith('schema-engine'));
    if (hasBinary)
        return base;
    return { ...base, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath };
}

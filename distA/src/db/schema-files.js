import { readFileSync } from 'node:fs';
import { projectPath } from '../paths.js';
export const PROVIDERS = ['sqlite', 'postgres'];
/** Absolute path of the one source schema. */
export const SOURCE_SCHEMA_PATH = projectPath('prisma', 'schema.prisma');
/** Absolute path of a provider's committed migrations folder. */
export function migrationsDir(provider) {
    return projectPath('prisma', 'migrations', provider);
}
/** The PostgreSQL client's query compiler line (the source's says "small"). */
const FAST_COMPILER = 'compilerBuild       = "fast"';
/**
 * The schema text for a provider. The source names SQLite; the PostgreSQL variant
 * differs only in its provider, in where its client is generated and in its query
 * compiler (the fast one: on PostgreSQL every query goes through it).
 */
export function schemaFor(provider, source = readFileSync(SOURCE_SCHEMA_PATH, 'utf8')) {
    if (provider === 'sqlite')
        return source;
    const swapped = source
        .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
        .replace('output       = "../src/db/generated/sqlite"', 'output       = "./postgres"')
        .replace(/compilerBuild\s*=\s*"small"/, FAST_COMPILER);
    if (swapped.includes('"sqlite"') || !swapped.includes('"./postgres"') || !swapped.includes(FAST_COMPILER)) {
        throw new Error('prisma/schema.prisma: cannot derive the PostgreSQL schema (provider, output or compilerBuild line changed)');
    }
    return swapped;
}

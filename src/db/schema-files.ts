import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The two storage providers Minqing supports. */
export type Provider = 'sqlite' | 'postgres';

export const PROVIDERS: readonly Provider[] = ['sqlite', 'postgres'];

/** Absolute path of the one source schema. */
export const SOURCE_SCHEMA_PATH = fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url));

/** Absolute path of a provider's committed migrations folder. */
export function migrationsDir(provider: Provider): string {
  return fileURLToPath(new URL(`../../prisma/migrations/${provider}`, import.meta.url));
}

/**
 * The schema text for a provider. The source names SQLite; the PostgreSQL variant
 * differs only in its provider and in where its client is generated.
 */
export function schemaFor(provider: Provider, source = readFileSync(SOURCE_SCHEMA_PATH, 'utf8')): string {
  if (provider === 'sqlite') return source;
  const swapped = source
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace('output       = "../src/db/generated/sqlite"', 'output       = "./postgres"');
  if (swapped.includes('"sqlite"') || !swapped.includes('"./postgres"')) {
    throw new Error('prisma/schema.prisma: cannot derive the PostgreSQL schema (provider or output line changed)');
  }
  return swapped;
}

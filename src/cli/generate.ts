/**
 * Generates the two Prisma clients (SQLite and PostgreSQL) from the one source schema.
 * Runs on `npm install` (postinstall) and as `npm run generate`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { prismaCliEnv } from '../db/prisma-cli-env.js';
import { SOURCE_SCHEMA_PATH, schemaFor } from '../db/schema-files.js';

const generatedDir = fileURLToPath(new URL('../db/generated/', import.meta.url));
mkdirSync(generatedDir, { recursive: true });
const postgresSchemaPath = `${generatedDir}schema.postgres.prisma`;
writeFileSync(postgresSchemaPath, schemaFor('postgres'));

const prismaBin = createRequire(import.meta.url).resolve('prisma/build/index.js');
for (const schema of [SOURCE_SCHEMA_PATH, postgresSchemaPath]) {
  const run = spawnSync(process.execPath, [prismaBin, 'generate', '--schema', schema], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: prismaCliEnv(),
  });
  if (run.status !== 0) {
    console.error(`prisma generate failed for ${schema}`);
    process.exit(run.status ?? 1);
  }
}

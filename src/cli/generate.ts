/**
 * Generates the two Prisma clients (SQLite and PostgreSQL) from the one source schema.
 * Runs on `npm install` (postinstall) and as `npm run generate`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { prismaCliEnv } from '../db/prisma-cli-env.js';
import { PROVIDERS, SOURCE_SCHEMA_PATH, schemaFor } from '../db/schema-files.js';

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

/**
 * The generated clients compile Prisma's query compiler from a module that keeps its
 * base64 text loaded for ever (4.2 MiB of heap); src/db/query-compiler-wasm.ts compiles
 * it from the same file without keeping it.
 */
const WASM_IMPORT = /const \{ wasm \} = await import\(("@prisma\/client\/runtime\/[\w.]+\.wasm-base64\.mjs")\)\n\s*return await decodeBase64AsWasm\(wasm\)/;
for (const provider of PROVIDERS) {
  const classPath = `${generatedDir}${provider}/internal/class.ts`;
  const source = readFileSync(classPath, 'utf8');
  const specifier = WASM_IMPORT.exec(source)?.[1];
  if (!specifier) {
    console.error(`${classPath}: Prisma's query compiler is no longer loaded as expected; update src/cli/generate.ts`);
    process.exit(1);
  }
  writeFileSync(
    classPath,
    source.replace(WASM_IMPORT, `return await (await import('../../../query-compiler-wasm.js')).compileBase64Module(${specifier})`),
  );
}

// The category matcher's model, trained once from the shipped files, so that a first
// start restores it instead of training (see src/engine/classifier-cache.ts).
const { CategoryClassifier } = await import('../engine/classifier.js');
const started = performance.now();
const matcher = CategoryClassifier.load();
console.log(`Trained the category matcher's model (${matcher.modelSize.features.toLocaleString('en')} features) in ${Math.round(performance.now() - started)} ms`);

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileBase64Module } from '../../../src/db/query-compiler-wasm.js';
import { schemaFor } from '../../../src/db/schema-files.js';

describe('schemaFor', () => {
  const source = schemaFor('sqlite');

  it('gives SQLite the small query compiler: its hot path runs plain statements', () => {
    expect(source).toMatch(/provider\s*=\s*"sqlite"/);
    expect(source).toMatch(/compilerBuild\s*=\s*"small"/);
  });

  it('derives PostgreSQL with its own output and the fast compiler, models unchanged', () => {
    const postgres = schemaFor('postgres');
    expect(postgres).toMatch(/provider\s*=\s*"postgresql"/);
    expect(postgres).toContain('output       = "./postgres"');
    expect(postgres).toMatch(/compilerBuild\s*=\s*"fast"/);
    expect(postgres).not.toContain('"sqlite"');
    const models = (text: string) => text.slice(text.indexOf('\nmodel '));
    expect(models(postgres)).toBe(models(source));
  });

  it('refuses a source whose generator lines it no longer recognises', () => {
    expect(() => schemaFor('postgres', source.replace(/compilerBuild\s*=\s*"small"/, 'compilerBuild = "tiny"'))).toThrow(/compilerBuild/);
    expect(() => schemaFor('postgres', source.replace('"../src/db/generated/sqlite"', '"../elsewhere"'))).toThrow(/cannot derive/);
  });
});

describe('the generated clients', () => {
  it("compile Prisma's query compiler from its file without keeping its base64 text loaded (src/cli/generate.ts)", async () => {
    for (const provider of ['sqlite', 'postgres']) {
      const source = readFileSync(new URL(`../../../src/db/generated/${provider}/internal/class.ts`, import.meta.url), 'utf8');
      expect(source).toMatch(/compileBase64Module\("@prisma\/client\/runtime\/query_compiler_\w+_bg\.\w+\.wasm-base64\.mjs"\)/);
      expect(source).not.toMatch(/await import\("@prisma\/client\/runtime\/[\w.]+wasm-base64/);
    }
    const compiled = await compileBase64Module('@prisma/client/runtime/query_compiler_small_bg.sqlite.wasm-base64.mjs');
    expect(Object.prototype.toString.call(compiled)).toBe('[object WebAssembly.Module]');
  });
});

import { describe, expect, it } from 'vitest';
import { schemaFor } from '../../src/db/schema-files.js';

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

/**
 * Roster import: the demo county, idempotent re-import, bad rows with their places,
 * --strict, GB18030 files, file order, and updates of pairings and grid sets.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { generateDemoRoster } from '../../src/org/demo-data.js';
import { toCsv } from '../../src/org/import/csv.js';
import { formatProblem, importRoster, type ImportReport, ROSTER_KINDS } from '../../src/org/import/index.js';
import { demoFiles } from '../../src/org/seed.js';
import { freshPostgres, freshSqlite, POSTGRES_URL, type TestDatabase } from '../helpers/db.js';

let database: TestDatabase | undefined;
let dirs: string[] = [];

afterEach(async () => {
  await database?.dispose();
  database = undefined;
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

async function open(): Promise<TestDatabase> {
  database = await freshSqlite();
  return database;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'minqing-roster-'));
  dirs.push(dir);
  return dir;
}

/** Writes files into a new temp dir and returns their paths. */
function writeFiles(files: Record<string, string | Uint8Array>): string[] {
  const dir = tempDir();
  return Object.entries(files).map(([name, content]) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  });
}

/** A GB18030 (GBK range) encoder built from the platform decoder: enough for fixtures. */
function encodeGb18030(text: string): Uint8Array {
  const table = new Map<string, number[]>();
  const decoder = new TextDecoder('gb18030');
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const ch = decoder.decode(new Uint8Array([lead, trail]));
      if (ch.length === 1 && ch !== '\uFFFD' && !table.has(ch)) table.set(ch, [lead, trail]);
    }
  }
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x80) bytes.push(code);
    else {
      const pair = table.get(ch);
      if (!pair) throw new Error(`no GB18030 bytes for ${ch}`);
      bytes.push(...pair);
    }
  }
  return new Uint8Array(bytes);
}

function totals(report: ImportReport): { created: number; updated: number; bad: number } {
  let created = 0;
  let updated = 0;
  let bad = 0;
  for (const kind of ROSTER_KINDS) {
    created += report.counts[kind].created;
    updated += report.counts[kind].updated;
    bad += report.counts[kind].bad;
  }
  return { created, updated, bad };
}

async function tableCounts(db: TestDatabase['db']) {
  return {
    regions: await db.region.count(),
    departments: await db.department.count(),
    grids: await db.grid.count(),
    households: await db.household.count(),
    householdGrids: await db.householdGrid.count(),
    people: await db.person.count(),
    roles: await db.personRole.count(),
    pairings: await db.pairing.count(),
    categories: await db.category.count(),
  };
}

describe('demo data', () => {
  test('data/demo is what the generator makes', () => {
    const roster = generateDemoRoster();
    for (const path of demoFiles().filter((p) => p.includes('/demo/'))) {
      const table = roster.files[basename(path) as keyof typeof roster.files];
      expect(table, path).toBeDefined();
      expect(readFileSync(path, 'utf8')).toBe(toCsv(table.header, table.rows));
    }
  });

  test('imports with no problem and gives the expected organisation', async () => {
    const { db } = await open();
    const report = await importRoster(db, demoFiles(), { strict: true });
    expect(report.problems.map(formatProblem)).toEqual([]);
    expect(report.written).toBe(true);

    expect(await db.region.count({ where: { level: 'county' } })).toBe(1);
    expect(await db.region.count({ where: { level: 'township' } })).toBe(2);
    expect(await db.region.count({ where: { level: 'village' } })).toBe(5);
    expect(await db.grid.count()).toBe(17);
    expect(await db.grid.count({ where: { kind: 'thematic' } })).toBe(2);
    expect(await db.household.count()).toBe(450);
    expect(await db.category.count()).toBe(14);

    // Every household is paired, and sits in a geographic grid; some also in a thematic one.
    expect(await db.pairing.count()).toBe(450);
    expect(await db.household.count({ where: { pairing: null } })).toBe(0);
    expect(await db.household.count({ where: { grids: { none: { grid: { kind: 'geographic' } } } } })).toBe(0);
    expect(await db.household.count({ where: { grids: { some: { grid: { kind: 'thematic' } } } } })).toBeGreaterThan(10);

    // Every grid has a leader, and the leader is a liaison.
    const leaders = await db.personRole.findMany({ where: { role: 'grid_leader' }, include: { person: { include: { roles: true } } } });
    expect(leaders).toHaveLength(17);
    expect(new Set(leaders.map((l) => l.gridId)).size).toBe(17);
    for (const l of leaders) expect(l.person.roles.some((r) => r.role === 'liaison')).toBe(true);

    // Departments: 13 kinds at each township and at the county, each with a handler.
    const departments = await db.department.findMany({ include: { region: true, roles: true } });
    expect(departments).toHaveLength(39);
    for (const region of ['QH', 'QH-01', 'QH-02']) {
      expect(departments.filter((d) => d.region.code === region)).toHaveLength(13);
    }
    expect(departments.filter((d) => d.level === 'county')).toHaveLength(13);
    for (const d of departments) expect(d.roles.map((r) => r.role)).toEqual(['department_handler']);

    // Residents: one per household, scoped to the household's village.
    const residents = await db.personRole.findMany({ where: { role: 'resident' }, include: { person: { include: { household: true } } } });
    expect(residents).toHaveLength(450);
    for (const r of residents) expect(r.regionId).toBe(r.person.household?.regionId);

    // Staff with guessable codes.
    const roleOf = async (code: string) =>
      (await db.personRole.findMany({ where: { person: { code } }, include: { region: true, grid: true } })).map((r) => `${r.role}@${r.grid?.code ?? r.region.code}`);
    expect(await roleOf('L-QH-01-001-01')).toEqual(expect.arrayContaining(['liaison@QH-01-001', 'grid_leader@QH-01-001-G1']));
    expect(await roleOf('DSP-QH-01')).toEqual(['dispatcher@QH-01']);
    expect(await roleOf('DSP-QH')).toEqual(['dispatcher@QH']);
    expect(await roleOf('SUP-QH')).toEqual(['supervisor@QH']);
    expect(await roleOf('ADM-QH')).toEqual(['admin@QH']);
    expect(await db.person.count({ where: { locale: 'en' } })).toBeGreaterThanOrEqual(3);
    const handler = await db.person.findUniqueOrThrow({ where: { code: 'H-QH-01-water' }, include: { department: true } });
    expect(handler.department?.code).toBe('QH-01-D-water');
    // Liaisons pair about ten households each.
    expect(await db.pairing.count({ where: { liaison: { code: 'L-QH-01-001-01' } } })).toBe(10);
  });

  test('re-import changes nothing', async () => {
    const { db } = await open();
    const first = await importRoster(db, demoFiles());
    const before = await tableCounts(db);
    const stamp = await db.household.aggregate({ _max: { updatedAt: true } });
    const again = await importRoster(db, demoFiles());
    expect(again.problems).toEqual([]);
    expect(totals(again)).toEqual({ created: 0, updated: 0, bad: 0 });
    for (const kind of ROSTER_KINDS) {
      expect(again.counts[kind].unchanged, kind).toBe(first.counts[kind].read);
    }
    expect(await tableCounts(db)).toEqual(before);
    expect(await db.household.aggregate({ _max: { updatedAt: true } })).toEqual(stamp);
  });

  test('the order of the files does not matter', async () => {
    const { db } = await open();
    const report = await importRoster(db, [...demoFiles()].reverse());
    expect(report.problems).toEqual([]);
    expect(await tableCounts(db)).toMatchObject({ regions: 8, grids: 17, households: 450, pairings: 450, departments: 39 });
  });
});

describe('bad rows', () => {
  const files = {
    'regions.csv': [
      'code,name,level,parent_code',
      'QH,青禾县,county,',
      'QH-01,清水镇,township,QH',
      'QH-01,重复镇,township,QH',
      'QH-09,某镇,township,QH-99',
      'QH-01-001,东湖村,hamlet,QH-01',
      'QH-01-002,柳树湾村,village,QH-01',
      'QH-09-001,西河村,village,QH-09',
      '',
    ].join('\n'),
    'grids.csv': ['code,name,kind,region_code', 'QH-01-002-G1,柳树湾村第一网格,geographic,QH-01-002', ''].join('\n'),
    'households.csv': [
      'code,village_code,address,head_name,phone,grid_codes',
      'H1,QH-01-002,柳树湾村一组1号,张三,12345,QH-01-002-G1',
      'H2,QH-01-002,柳树湾村一组2号,李四,139 1234 5678,QH-01-002-G1',
      'H3,QH-09-001,西河村一组1号,王五,,',
      'H4,QH-01-002,柳树湾村一组3号,赵六,0536-1234567,QH-01-002-G9',
      '',
    ].join('\n'),
    'people.csv': [
      'code,name,phone,locale,household_code,department_code,roles',
      'P1,李四,,zh,H2,,resident',
      'P2,钱七,,,,,liaison@QH-77',
      'P3,孙八,,fr,,,',
      'P4,周九,,,,,resident',
      'L1,吴十,13800000000,en,,,liaison@QH-01-002;grid_leader@QH-01-002-G1',
      'P5,郑十一,,,,,grid_leader@QH-01-002',
      '',
    ].join('\n'),
    'pairings.csv': ['liaison_code,household_code', 'L1,H2', 'P1,H2', 'L1,H1', ''].join('\n'),
    'weird.csv': ['foo,bar', '1,2', ''].join('\n'),
  };

  function expectProblem(report: ImportReport, file: string, line: number, column: string | null, reason: RegExp) {
    const found = report.problems.filter((p) => basename(p.file) === file && p.line === line);
    expect(found.map(formatProblem), `${file}:${line}`).toContainEqual(expect.stringMatching(reason));
    expect(found.some((p) => p.column === column && reason.test(p.reason))).toBe(true);
  }

  test('are reported with file, line and column; good rows are kept', async () => {
    const { db } = await open();
    const paths = writeFiles(files);
    const report = await importRoster(db, paths);

    expectProblem(report, 'regions.csv', 4, 'code', /code QH-01 already on line 3/);
    expectProblem(report, 'regions.csv', 5, 'parent_code', /no county with code QH-99/);
    expectProblem(report, 'regions.csv', 6, 'level', /expected county, township or village/);
    expectProblem(report, 'regions.csv', 8, 'parent_code', /no township with code QH-09: its row .*regions.csv:5 is bad/);
    expectProblem(report, 'households.csv', 2, 'phone', /not a mainland phone number 不是有效的手机号或座机号/);
    expectProblem(report, 'households.csv', 4, 'village_code', /no village with code QH-09-001/);
    expectProblem(report, 'households.csv', 5, 'grid_codes', /no grid with code QH-01-002-G9/);
    expectProblem(report, 'people.csv', 3, 'roles', /liaison@QH-77: no region with code QH-77/);
    expectProblem(report, 'people.csv', 4, 'locale', /expected zh or en/);
    expectProblem(report, 'people.csv', 5, 'roles', /resident without @scope needs a household_code/);
    expectProblem(report, 'people.csv', 7, 'roles', /no grid with code QH-01-002/);
    expectProblem(report, 'pairings.csv', 3, 'household_code', /a pairing of household H2 already on line 2/);
    expectProblem(report, 'pairings.csv', 4, 'household_code', /no household with code H1: its row .* is bad/);
    expectProblem(report, 'weird.csv', 1, null, /unknown header/);
    expect(formatProblem(report.problems.find((p) => p.line === 2 && p.column === 'phone') ?? report.problems[0]!)).toMatch(
      /households\.csv:2: column phone: not a mainland phone number/,
    );

    expect(report.written).toBe(true);
    expect(report.counts.regions).toMatchObject({ read: 7, created: 3, bad: 4 });
    expect(report.counts.households).toMatchObject({ read: 4, created: 1, bad: 3 });
    expect(report.counts.people).toMatchObject({ read: 6, created: 2, bad: 4 });
    expect(report.counts.pairings).toMatchObject({ read: 3, created: 1, bad: 2 });
    expect((await db.region.findMany({ orderBy: { code: 'asc' } })).map((r) => r.code)).toEqual(['QH', 'QH-01', 'QH-01-002']);
    const h2 = await db.household.findUniqueOrThrow({ where: { code: 'H2' }, include: { pairing: { include: { liaison: true } } } });
    expect(h2.phone).toBe('13912345678');
    expect(h2.pairing?.liaison.code).toBe('L1');
    expect(await db.person.findUnique({ where: { code: 'P1' } })).not.toBeNull();
    expect(await db.person.count()).toBe(2);
  });

  test('--strict writes nothing', async () => {
    const { db } = await open();
    const report = await importRoster(db, writeFiles(files), { strict: true });
    expect(report.written).toBe(false);
    expect(report.problems.length).toBeGreaterThanOrEqual(14);
    expect(totals(report).created).toBe(0);
    expect(await tableCounts(db)).toEqual({
      regions: 0,
      departments: 0,
      grids: 0,
      households: 0,
      householdGrids: 0,
      people: 0,
      roles: 0,
      pairings: 0,
      categories: 0,
    });
  });
});

describe('encodings', () => {
  test('a GB18030 file is read, and a UTF-8 file with BOM too', async () => {
    const { db } = await open();
    const regions = ['code,name,level,parent_code', 'QH,青禾县,county,', 'QH-01,清水镇,township,QH', 'QH-01-001,东湖村,village,QH-01', ''].join('\r\n');
    const grids = ['code,name,kind,region_code', 'QH-01-001-G1,东湖村第一网格,geographic,QH-01-001', ''].join('\n');
    const [gbPath, bomPath] = writeFiles({
      'regions-gbk.csv': encodeGb18030(regions),
      'grids.csv': `\uFEFF${grids}`,
    });
    const report = await importRoster(db, [gbPath!, bomPath!]);
    expect(report.problems).toEqual([]);
    expect(report.files.map((f) => [f.kind, f.encoding])).toEqual([
      ['regions', 'gb18030'],
      ['grids', 'utf-8'],
    ]);
    expect((await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } })).name).toBe('东湖村');
    expect((await db.grid.findUniqueOrThrow({ where: { code: 'QH-01-001-G1' } })).name).toBe('东湖村第一网格');
  });
});

describe('re-import with changes', () => {
  test('moves a pairing, replaces a grid set and a role set', async () => {
    const { db } = await open();
    await importRoster(db, demoFiles());
    const roster = generateDemoRoster();
    const households = roster.files['households.csv'];
    const pairings = roster.files['pairings.csv'];
    const people = roster.files['people.csv'];
    // QH-01-001-H001: add the elderly grid; pair it with the second liaison instead of the first.
    const changedHouseholds = households.rows.map((row) => (row[0] === 'QH-01-001-H001' ? [...row.slice(0, 5), 'QH-01-001-G1;QH-01-T1', ...row.slice(6)] : row));
    const changedPairings = pairings.rows.map((row) => (row[1] === 'QH-01-001-H001' ? ['L-QH-01-001-02', row[1]] : row));
    // The supervisor of QH-01 becomes its dispatcher too.
    const changedPeople = people.rows.map((row) => (row[0] === 'SUP-QH-01' ? [...row.slice(0, 6), 'supervisor@QH-01;dispatcher@QH-01'] : row));
    const others = demoFiles().filter((p) => !/(households|pairings|people)\.csv$/.test(p));
    const changed = writeFiles({
      'households.csv': toCsv(households.header, changedHouseholds),
      'pairings.csv': toCsv(pairings.header, changedPairings),
      'people.csv': toCsv(people.header, changedPeople),
    });
    const report = await importRoster(db, [...others, ...changed]);
    expect(report.problems).toEqual([]);
    expect(report.counts.households).toMatchObject({ created: 0, updated: 1, unchanged: 449 });
    expect(report.counts.pairings).toMatchObject({ created: 0, updated: 1, unchanged: 449 });
    expect(report.counts.people).toMatchObject({ created: 0, updated: 1 });

    const h1 = await db.household.findUniqueOrThrow({
      where: { code: 'QH-01-001-H001' },
      include: { grids: { include: { grid: true } }, pairing: { include: { liaison: true } } },
    });
    expect(h1.grids.map((g) => g.grid.code).sort()).toEqual(['QH-01-001-G1', 'QH-01-T1']);
    expect(h1.pairing?.liaison.code).toBe('L-QH-01-001-02');
    const sup = await db.personRole.findMany({ where: { person: { code: 'SUP-QH-01' } }, orderBy: { role: 'asc' } });
    expect(sup.map((r) => r.scopeKey)).toEqual(['SUP-QH-01|dispatcher|QH-01', 'SUP-QH-01|supervisor|QH-01']);

    // And back: the original files restore the original sets.
    const back = await importRoster(db, demoFiles());
    expect(back.counts.households.updated).toBe(1);
    expect(back.counts.pairings.updated).toBe(1);
    expect(back.counts.people.updated).toBe(1);
    expect(await db.personRole.count({ where: { person: { code: 'SUP-QH-01' } } })).toBe(1);
    const again = await db.householdGrid.count({ where: { household: { code: 'QH-01-001-H001' } } });
    expect(again).toBe(
      households.rows
        .find((r) => r[0] === 'QH-01-001-H001')?.[5]
        ?.toString()
        .split(';').length,
    );
  });
});

describe('重点户 (the optional key_reason column of households)', () => {
  test('a file with the column sets it; a file without it keeps it; an empty cell clears it', async () => {
    const { db } = await open();
    await importRoster(db, demoFiles());
    const households = generateDemoRoster().files['households.csv'];
    const others = demoFiles().filter((p) => !/households\.csv$/.test(p));
    const column = households.header.indexOf('key_reason');
    expect(column).toBeGreaterThan(0);
    // The demo's own file with the reasons given (the others as they are), or without the column.
    const withReasons = (reason: (code: string) => string | undefined) =>
      toCsv(
        households.header,
        households.rows.map((row) => row.map((cell, i) => (i === column ? (reason(String(row[0])) ?? cell) : cell))),
      );
    const withoutColumn = toCsv(
      households.header.filter((_, i) => i !== column),
      households.rows.map((row) => row.filter((_, i) => i !== column)),
    );
    const keyOf = async () => (await db.household.findUniqueOrThrow({ where: { code: 'QH-01-001-H001' } })).keyReason;
    // The demo marks some households 重点, not this one.
    expect(await keyOf()).toBeNull();
    expect(await db.household.count({ where: { keyReason: { not: null } } })).toBe(households.rows.filter((r) => r[column]).length);

    let report = await importRoster(db, [...others, ...writeFiles({ 'households.csv': withReasons((code) => (code === 'QH-01-001-H001' ? '独居老人' : undefined)) })]);
    expect(report.problems).toEqual([]);
    expect(report.counts.households).toMatchObject({ updated: 1, unchanged: 449 });
    expect(await keyOf()).toBe('独居老人');
    // A file without the column leaves it as it is.
    report = await importRoster(db, [...others, ...writeFiles({ 'households.csv': withoutColumn })]);
    expect(report.problems).toEqual([]);
    expect(report.counts.households).toMatchObject({ updated: 0, unchanged: 450 });
    expect(await keyOf()).toBe('独居老人');
    // An empty cell clears it; a reason longer than 50 characters is refused with its place.
    const clearing = withReasons((code) => (code === 'QH-01-001-H001' ? '' : code === 'QH-01-001-H002' ? '困'.repeat(51) : undefined));
    report = await importRoster(db, [...others, ...writeFiles({ 'households.csv': clearing })]);
    expect(await keyOf()).toBeNull();
    // (The household's people and pairing then name a household that was not imported.)
    expect(report.problems.filter((p) => p.column === 'key_reason').map((p) => p.reason)).toEqual(['at most 50 characters']);
  });
});

describe('coordinates (the optional latitude and longitude columns of regions and households)', () => {
  test('a file with them sets a point; one without them keeps it; an empty pair clears it; a bad one is reported with its place', async () => {
    const { db } = await open();
    await importRoster(db, demoFiles());
    const regions = generateDemoRoster().files['regions.csv'];
    const others = demoFiles().filter((p) => !/regions\.csv$/.test(p));
    const latitude = regions.header.indexOf('latitude');
    expect(regions.header.indexOf('longitude')).toBe(latitude + 1);
    const pointOf = (code: string) => db.region.findUniqueOrThrow({ where: { code }, select: { latitude: true, longitude: true } });
    // The demo places its villages.
    expect(await pointOf('QH-01-001')).toEqual({ latitude: 30.0602, longitude: 120.1144 });
    const withPoints = (points: Record<string, [string, string]>) =>
      toCsv(
        regions.header,
        regions.rows.map((row) => {
          const point = points[String(row[0])];
          return point ? [...row.slice(0, latitude), ...point] : row;
        }),
      );

    let report = await importRoster(db, [...others, ...writeFiles({ 'regions.csv': withPoints({ 'QH-01-001': ['30.1', '120.2'] }) })]);
    expect(report.problems).toEqual([]);
    expect(report.counts.regions).toMatchObject({ updated: 1, unchanged: 7 });
    expect(await pointOf('QH-01-001')).toEqual({ latitude: 30.1, longitude: 120.2 });
    // A file without the columns leaves every point as it is.
    const withoutColumns = toCsv(
      regions.header.slice(0, latitude),
      regions.rows.map((row) => row.slice(0, latitude)),
    );
    report = await importRoster(db, [...others, ...writeFiles({ 'regions.csv': withoutColumns })]);
    expect(report.problems).toEqual([]);
    expect(report.counts.regions).toMatchObject({ updated: 0, unchanged: 8 });
    expect(await pointOf('QH-01-001')).toEqual({ latitude: 30.1, longitude: 120.2 });

    // Lines: the header is line 1, QH-01-001 line 4, QH-01-002 line 5, QH-01-003 line 6, QH-02 line 7.
    report = await importRoster(db, [
      ...others,
      ...writeFiles({ 'regions.csv': withPoints({ 'QH-01-001': ['', ''], 'QH-01-002': ['95', '120'], 'QH-01-003': ['30.01', ''], 'QH-02': ['north', '119.9'] }) }),
    ]);
    // (QH-02's villages then name a township that was not imported.)
    const problems = report.problems.filter((p) => p.column === 'latitude' || p.column === 'longitude').map((p) => formatProblem({ ...p, file: basename(p.file) }));
    expect(problems).toEqual([
      'regions.csv:5: column latitude: expected degrees from -90 to 90 (WGS 84, e.g. 30.0123) 坐标应为度数',
      'regions.csv:6: column longitude: give both latitude and longitude, or neither 经纬度须同时填写',
      'regions.csv:7: column latitude: expected degrees from -90 to 90 (WGS 84, e.g. 30.0123) 坐标应为度数',
    ]);
    expect(await pointOf('QH-01-001')).toEqual({ latitude: null, longitude: null });
    // The bad rows changed nothing.
    expect(await pointOf('QH-01-002')).toEqual({ latitude: 30.0368, longitude: 120.0524 });
    expect(await pointOf('QH-01-003')).toEqual({ latitude: 30.0083, longitude: 120.1116 });
  });

  test('households take a point too: set, kept by a file without the columns, cleared by empty cells', async () => {
    const { db } = await open();
    await importRoster(db, demoFiles());
    const households = generateDemoRoster().files['households.csv'];
    const others = demoFiles().filter((p) => !/households\.csv$/.test(p));
    const withPoint = (point: [string, string]) =>
      toCsv(
        [...households.header, 'latitude', 'longitude'],
        households.rows.map((row) => [...row, ...(row[0] === 'QH-01-001-H001' ? point : ['', ''])]),
      );
    const pointOf = () => db.household.findUniqueOrThrow({ where: { code: 'QH-01-001-H001' }, select: { latitude: true, longitude: true } });
    let report = await importRoster(db, [...others, ...writeFiles({ 'households.csv': withPoint(['30.0611', '120.1150']) })]);
    expect(report.problems).toEqual([]);
    expect(report.counts.households).toMatchObject({ updated: 1, unchanged: 449 });
    expect(await pointOf()).toEqual({ latitude: 30.0611, longitude: 120.115 });
    report = await importRoster(db, demoFiles());
    expect(report.counts.households).toMatchObject({ updated: 0, unchanged: 450 });
    expect(await pointOf()).toEqual({ latitude: 30.0611, longitude: 120.115 });
    report = await importRoster(db, [...others, ...writeFiles({ 'households.csv': withPoint(['-200', '120']) })]);
    expect(report.problems.filter((p) => p.column === 'latitude').map((p) => p.line)).toEqual([2]);
    report = await importRoster(db, [...others, ...writeFiles({ 'households.csv': withPoint(['', '']) })]);
    expect(report.problems).toEqual([]);
    expect(await pointOf()).toEqual({ latitude: null, longitude: null });
  });
});

describe.skipIf(!POSTGRES_URL)('on PostgreSQL', () => {
  test('the demo data imports, re-imports idempotently, and --strict rolls back', async () => {
    database = await freshPostgres();
    const { db } = database;
    const first = await importRoster(db, demoFiles(), { strict: true });
    expect(first.problems).toEqual([]);
    expect(await tableCounts(db)).toMatchObject({ regions: 8, grids: 17, households: 450, pairings: 450, categories: 14 });
    const again = await importRoster(db, demoFiles());
    expect(totals(again)).toEqual({ created: 0, updated: 0, bad: 0 });

    const bad = writeFiles({
      'regions.csv': 'code,name,level,parent_code\nQH-03,新镇,township,QH\nQH-04,坏镇,township,QH-99\n',
    });
    const strict = await importRoster(db, bad, { strict: true });
    expect(strict.written).toBe(false);
    expect(await db.region.count()).toBe(8);
  });
});

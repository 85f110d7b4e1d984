/**
 * Survey push benchmark (issue 18): a county of seed 002's size (110,000 households by
 * default, most with a chat) on a fresh SQLite file, served by the real app while
 * simulated residents and liaisons talk to it at a fixed rate; then a 服务需求表 to every
 * household of the county but the first township (where the talking people live) is
 * scheduled, and the app's own scheduler pushes it. Printed: how long the push took
 * (target: under 30 s for 110,000 households) and the message path's latency before and
 * during it (target: its p99 kept). It is a benchmark, not a test.
 *
 * The survey's chats are WeChat ones, which this run has no channel for: the outbox rows
 * wait, as they would for a channel's own rate, and the push itself is what is measured.
 *
 *   npm run bench:survey [-- --households N] [--rate MSG_PER_S] [--seconds S] [--residents N]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchApp } from '../bench/bench-app.js';
import { bindPairs, summarise } from '../bench/load.js';
import { measure, type RunResult } from '../bench/phases.js';
import { bulkInsert } from '../db/bulk-insert.js';
import { openFreshSqlite } from '../db/scratch.js';
import { all, defineQuery } from '../db/sql.js';
import { ConfigError } from '../errors.js';
import { setLogLevel } from '../log.js';
import { categoriesCsv, writeDemoRoster } from '../org/demo-data.js';
import { importRoster } from '../org/import/index.js';
import { runCli } from './run-cli.js';

const PUSH_BUDGET_S = 30;
/** Share of households with a member who has a chat. */
const WITH_CHAT = 0.8;

function parseArgs(args: readonly string[]): { households: number; rate: number; seconds: number; residents: number } {
  const options = { households: 121_000, rate: 200, seconds: 40, residents: 200 };
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    const key = name?.replace(/^--/, '') as keyof typeof options;
    if (!(key in options) || value === undefined || !/^\d+$/.test(value)) {
      throw new ConfigError([`usage: npm run bench:survey -- [--households N] [--rate MSG_PER_S] [--seconds S] [--residents N] (got ${name ?? ''} ${value ?? ''})`]);
    }
    options[key] = Number(value);
  }
  return options;
}

const firstMembersQuery = defineQuery('bench_survey_first_members', (db) =>
  db
    .selectFrom('Household as h')
    .select((eb) => [
      'h.id',
      eb
        .selectFrom('Person as m')
        .select((m) => m.fn.min('m.id').as('id'))
        .whereRef('m.householdId', '=', 'h.id')
        .as('memberId'),
    ])
    .orderBy('h.id'),
);

const townshipsQuery = defineQuery('bench_survey_townships', (db) =>
  db.selectFrom('Region as t').innerJoin('Region as c', 'c.id', 't.parentId').select(['t.id', 't.code', 'c.id as countyId']).where('c.level', '=', 'county').orderBy('t.code'),
);

const line = (label: string, run: RunResult) => {
  const s = summarise([...run.latencies].sort((a, b) => a - b));
  return `${label}: ${run.perSecond.toFixed(0)} msg/s answered, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(0)} ms, errors ${run.errors}${run.missed ? `, missed slots ${run.missed}` : ''}`;
};

await runCli(async () => {
  const options = parseArgs(process.argv.slice(2));
  setLogLevel('warn');
  const dir = mkdtempSync(join(tmpdir(), 'minqing-bench-survey-'));
  try {
    // The county, and chats for most of its households (a member each), on WeChat.
    const { paths } = writeDemoRoster(join(dir, 'roster'), { households: options.households });
    writeFileSync(join(dir, 'categories.csv'), categoriesCsv());
    const url = `file:${join(dir, 'bench.db')}`;
    const seed = await openFreshSqlite(url);
    let townshipIds: number[];
    let countyId: number;
    try {
      await importRoster(seed.db, [join(dir, 'categories.csv'), ...paths]);
      const members = (await all(seed.sql, firstMembersQuery, {})).filter((h, i) => h.memberId !== null && (i * 0.618) % 1 < WITH_CHAT);
      const at = new Date();
      await bulkInsert(
        seed.db,
        seed.sql.dialect,
        'ChannelIdentity',
        ['channel', 'platformUserId', 'chatId', 'personId', 'lastUsedAt', 'createdAt'],
        members.map((m) => ({ channel: 'wechat', platformUserId: `wx-${m.memberId}`, chatId: `wx-${m.memberId}`, personId: m.memberId, lastUsedAt: at, createdAt: at })),
      );
      const townships = await all(seed.sql, townshipsQuery, {});
      townshipIds = townships.slice(1).map((t) => t.id);
      countyId = townships[0]!.countyId;
      console.log(`${options.households.toLocaleString('en')} households in ${townships.length} townships, ${members.length.toLocaleString('en')} with a chat`);
    } finally {
      await seed.close();
    }

    const bench = await startBenchApp({ url, overrides: { SEED_DEMO: false } });
    try {
      const db = bench.app.database.db;
      // The talking people live in the first township (by code), which the survey leaves out;
      // each run has its own (a run stopped leaves its people mid-dialogue).
      const pairs = await bindPairs(db, options.residents, { tag: 'b' });
      const duringPairs = await bindPairs(db, options.residents, { tag: 'd', offset: options.residents });
      const creator = await db.person.findFirstOrThrow({ where: { roles: { some: { role: { in: ['supervisor', 'admin', 'dispatcher'] } } } } });
      const window = { warmupSeconds: 3, seconds: options.seconds, rate: options.rate };
      const before = await measure(bench, pairs, window);

      let survey: { id: number; sendAt: Date | null } | undefined;
      const schedule = setTimeout(() => {
        void db.survey
          .create({
            data: {
              regionId: countyId,
              title: '服务需求表（基准）',
              questions: JSON.stringify([
                {
                  type: 'single',
                  required: true,
                  zh: '您家最需要哪项服务？',
                  en: '',
                  options: [
                    { zh: '养老', en: '' },
                    { zh: '医疗', en: '' },
                  ],
                },
              ]),
              audience: JSON.stringify({ regionIds: townshipIds, gridIds: [], pairedOnly: false }),
              status: 'scheduled',
              sendAt: new Date(),
              createdById: creator.id,
            },
          })
          .then((s) => (survey = s));
      }, window.warmupSeconds * 1000);
      const during = await measure(bench, duringPairs, window);
      clearTimeout(schedule);
      // The push may outlast the window: wait for it.
      let sent = survey ? await db.survey.findUniqueOrThrow({ where: { id: survey.id } }) : null;
      while (sent && sent.status !== 'sent') {
        await new Promise((resolve) => setTimeout(resolve, 200));
        sent = await db.survey.findUniqueOrThrow({ where: { id: sent.id } });
      }
      if (!sent?.sentAt || !sent.sendAt) throw new Error('the survey was not sent');
      const households = await db.surveyResponse.count({ where: { surveyId: sent.id } });
      const outbox = await db.outboxMessage.count({ where: { template: 'survey.ask' } });
      const pushS = (sent.sentAt.getTime() - sent.sendAt.getTime()) / 1000;
      console.log(
        `survey pushed to ${households.toLocaleString('en')} households (${outbox.toLocaleString('en')} chats) in ${pushS.toFixed(1)} s (budget ${PUSH_BUDGET_S} s, from its send time to the last household written)`,
      );
      console.log(line(`paced ${options.rate} msg/s before the push`, before));
      console.log(line(`paced ${options.rate} msg/s during the push`, during));
      const p99 = (run: RunResult) => summarise([...run.latencies].sort((a, b) => a - b)).p99;
      console.log(`p99 during ÷ before: ${(p99(during) / p99(before)).toFixed(2)}; load average ${loadavg()[0]!.toFixed(2)}`);
    } finally {
      await bench.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

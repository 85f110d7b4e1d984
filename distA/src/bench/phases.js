/**
 * The measured runs of the benchmark, each on a running bench app: a closed loop (every
 * simulated person sends their next message as soon as the last is answered: the
 * sustained rate), and a paced open loop (messages offered at a fixed rate: latency at
 * that load).
 */
import { statementCounts } from '../db/sqlite-adapter.js';
import { Pacer, Recorder, runLoad, summarise } from './load.js';
/** Runs the dialogue load on `bench` for warm-up + `seconds`, recording only the latter. */
export async function measure(bench, pairs, options) {
    const recorder = new Recorder();
    recorder.recording = false;
    const pacer = options.rate ? new Pacer(options.rate) : undefined;
    let stopped = false;
    let from = 0;
    let to = 0;
    let missedBefore = 0;
    let cpuFrom = process.cpuUsage();
    let cpu = 0;
    let countsFrom = { ...statementCounts };
    let counts = { prisma: 0, plain: 0, commits: 0 };
    const warm = setTimeout(() => {
        recorder.recording = true;
        missedBefore = pacer?.missed ?? 0;
        cpuFrom = process.cpuUsage();
        countsFrom = { ...statementCounts };
        from = performance.now();
    }, options.warmupSeconds * 1000);
    const end = setTimeout(() => {
        recorder.recording = false;
        to = performance.now();
        const used = process.cpuUsage(cpuFrom);
        cpu = (used.user + used.system) / 1000 / (to - from);
        counts = {
            prisma: statementCounts.prisma - countsFrom.prisma,
            plain: statementCounts.plain - countsFrom.plain,
            commits: statementCounts.commits - countsFrom.commits,
        };
        stopped = true;
        pacer?.stop();
    }, (options.warmupSeconds + options.seconds) * 1000);
    try {
        await runLoad({
            receive: (inbound) => bench.app.receive(inbound),
            offered: (chat, payload) => bench.adapter.offered(chat, payload),
            pairs,
            recorder,
            stop: () => stopped,
            ...(pacer ? { gate: pacer.gate } : {}),
        });
    }
    finally {
        clearTimeout(warm);
        clearTimeout(end);
        pacer?.stop();
    }
    const seconds = (to - from) / 1000;
    return {
        perSecond: recorder.latencies.length / seconds,
        messages: recorder.latencies.length,
        seconds,
        tickets: recorder.tickets,
        errors: recorder.errors,
        latencies: recorder.latencies,
        cpu,
        statements: {
            prisma: recorder.latencies.length ? counts.prisma / recorder.latencies.length : 0,
            plain: recorder.latencies.length ? counts.plain / recorder.latencies.length : 0,
            commits: recorder.latencies.length ? counts.commits / recorder.latencies.length : 0,
        },
        ...(pacer ? { missed: pacer.missed - missedBefore } : {}),
    };
}
/** One line for a run: rate and latency percentiles. */
export function formatRun(label, run) {
    const p = summarise(run.latencies);
    const ms = (v) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
    return (`${label}: ${Math.round(run.perSecond).toLocaleString('en')} msg/s · latency p50 ${ms(p.p50)} p95 ${ms(p.p95)} p99 ${ms(p.p99)} max ${ms(p.max)}` +
        ` · ${run.tickets} tickets, ${run.errors} off-script or failed${run.missed !== undefined ? `, ${run.missed} slots missed` : ''}` +
        ` · CPU ${Math.round(run.cpu * 100)} % of a core (${Math.round(run.perSecond / Math.max(run.cpu, 0.01)).toLocaleString('en')} msg per CPU-second)` +
        (run.statements.prisma + run.statements.plain > 0
            ? ` · SQLite statements per message: ${run.statements.plain.toFixed(1)} plain, ${run.statements.prisma.toFixed(1)} by Prisma; commits per message: ${run.statements.commits.toFixed(2)}`
            : ''));
}

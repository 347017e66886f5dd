/**
 * Scenario F: the feed at scale with no client. Per universe size, a fresh Tickwire process:
 * time from spawn to the first `/healthz` 200, RSS and CPU (share of one core) over an idle
 * window, and `/healthz` answer times probed every 50 ms in that window (healthz-probe.ts).
 * `npm run bench -- --scenario F` runs it (scenarios.ts FEED_SCALE); CLI:
 * `tsx scripts/bench/feed-scale.ts [--symbols 48,500,10000] [--rate 5] [--window 10] [--profile DIR]`.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startProbe, type ProbeSummary } from './healthz-probe.js';
import { cpuSeconds, rssBytes, startServer } from './proc.js';

export interface ScaleResult {
  symbols: number;
  feedRate: number;
  /** Spawn to the first `/healthz` 200 (polled every 100 ms), s. */
  startS: number;
  /** RSS at the end of the idle window. */
  rssMiB: number;
  /** rssMiB / symbols, KiB (includes the process's own base). */
  rssPerSymbolKiB: number;
  /** CPU over the idle window, share of one core. */
  cpuShare: number;
  healthzMs: ProbeSummary;
  /** The 1-minute load average when the process started and when the window ended. */
  loadAvg: [number, number];
}

/** One universe size, its own server process. */
export async function feedScale(symbols: number, rate: number, windowS: number, profileDir?: string): Promise<ScaleResult> {
  const load0 = loadavg()[0]!;
  const t0 = performance.now();
  const srv = await startServer({
    script: 'server/main.ts',
    env: { FEED_SYMBOLS: String(symbols), FEED_RATE: String(rate), FEED_SEED: 'bench' },
    // Node's default profile names (CPU.<date>.<time>.<pid>.<tid>.<seq>) keep the loader thread's
    // profile from overwriting the main thread's; mainThreadProfile picks the main one.
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    timeoutMs: 180_000,
  });
  const startS = (performance.now() - t0) / 1000;
  try {
    await new Promise((r) => setTimeout(r, 2000)); // past start-up's garbage
    const cpu0 = cpuSeconds(srv.pid);
    const w0 = performance.now();
    const probe = startProbe(srv.url + '/healthz', 50);
    await new Promise((r) => setTimeout(r, windowS * 1000));
    const cpuShare = (cpuSeconds(srv.pid) - cpu0) / ((performance.now() - w0) / 1000);
    const rssMiB = rssBytes(srv.pid) / 2 ** 20;
    const healthzMs = await probe.stop();
    return { symbols, feedRate: rate, startS, rssMiB, rssPerSymbolKiB: (rssMiB * 1024) / symbols, cpuShare, healthzMs, loadAvg: [load0, loadavg()[0]!] };
  } finally {
    await srv.stop();
  }
}

const f = (v: number, d: number) => (Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a');

/**
 * The results as a Markdown table. Marginal RSS per symbol: the RSS growth from the smallest
 * universe measured to each larger one, per added symbol (the process's base taken out).
 */
export function scaleMarkdown(rs: ScaleResult[]): string {
  const small = [...rs].sort((a, b) => a.symbols - b.symbols)[0];
  let md = '| symbols | FEED_RATE | start to /healthz s | RSS MiB | RSS / symbol KiB | marginal KiB / symbol | idle CPU (of a core) | /healthz p50 / p99 ms | load avg |\n';
  md += '|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n';
  for (const r of rs) {
    const marginal = small && r.symbols > small.symbols ? ((r.rssMiB - small.rssMiB) * 1024) / (r.symbols - small.symbols) : NaN;
    md += `| ${r.symbols.toLocaleString('en-US')} | ${r.feedRate} | ${f(r.startS, 1)} | ${f(r.rssMiB, 0)} | ${f(r.rssPerSymbolKiB, 1)} | ${f(marginal, 1)} | ` +
      `${f(r.cpuShare * 100, 0)}% | ${f(r.healthzMs.p50, 1)} / ${f(r.healthzMs.p99, 1)} | ${f(r.loadAvg[0], 1)}-${f(r.loadAvg[1], 1)} |\n`;
  }
  return md;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { symbols: { type: 'string', default: '48,500,10000' }, rate: { type: 'string', default: '5' }, window: { type: 'string', default: '10' }, profile: { type: 'string' } } });
  const rs: ScaleResult[] = [];
  for (const n of values.symbols!.split(',').map(Number)) rs.push(await feedScale(n, Number(values.rate), Number(values.window), values.profile));
  console.log(scaleMarkdown(rs));
}

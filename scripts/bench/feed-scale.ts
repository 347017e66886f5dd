/**
 * Scenario F: the feed at scale with no client. Per universe size: time from spawn to the
 * first `/healthz` 200, RSS and CPU (share of one core) over an idle window, and `/healthz`
 * p99 sampled every 50 ms in that window. CLI:
 * `tsx scripts/bench/feed-scale.ts [--symbols 48,500,10000] [--rate 5] [--window 10] [--profile DIR]`.
 */
import { parseArgs } from 'node:util';
import { cpuSeconds, rssBytes, startServer } from './proc.js';

export interface ScaleResult {
  symbols: number;
  startS: number;
  rssMiB: number;
  cpuShare: number;
  healthP99Ms: number;
}

/** One universe size, its own server process. */
export async function feedScale(symbols: number, rate: number, windowS: number, profileDir?: string): Promise<ScaleResult> {
  const t0 = performance.now();
  const srv = await startServer({
    script: 'server/main.ts',
    env: { FEED_SYMBOLS: String(symbols), FEED_RATE: String(rate) },
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=F-${symbols}.cpuprofile`] : [],
    timeoutMs: 120_000,
  });
  const startS = (performance.now() - t0) / 1000;
  try {
    await new Promise((r) => setTimeout(r, 2000)); // past start-up's garbage
    const cpu0 = cpuSeconds(srv.pid);
    const w0 = performance.now();
    const lat: number[] = [];
    while (performance.now() - w0 < windowS * 1000) {
      const a = performance.now();
      const r = await fetch(srv.url + '/healthz');
      await r.arrayBuffer();
      lat.push(performance.now() - a);
      await new Promise((r) => setTimeout(r, 50));
    }
    const cpuShare = (cpuSeconds(srv.pid) - cpu0) / ((performance.now() - w0) / 1000);
    lat.sort((a, b) => a - b);
    return { symbols, startS, rssMiB: rssBytes(srv.pid) / 2 ** 20, cpuShare, healthP99Ms: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))]! };
  } finally {
    await srv.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { symbols: { type: 'string', default: '48,500,10000' }, rate: { type: 'string', default: '5' }, window: { type: 'string', default: '10' }, profile: { type: 'string' } } });
  console.log('| symbols | start to /healthz s | RSS MiB | RSS / symbol KiB | idle CPU (of a core) | /healthz p99 ms |');
  console.log('|--:|--:|--:|--:|--:|--:|');
  for (const n of values.symbols!.split(',').map(Number)) {
    const r = await feedScale(n, Number(values.rate), Number(values.window), values.profile);
    console.log(`| ${n} | ${r.startS.toFixed(1)} | ${r.rssMiB.toFixed(0)} | ${((r.rssMiB * 1024) / n).toFixed(1)} | ${(r.cpuShare * 100).toFixed(0)}% | ${r.healthP99Ms.toFixed(1)} |`);
  }
}

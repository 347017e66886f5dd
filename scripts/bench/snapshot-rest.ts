/**
 * /api/snapshot cost for many symbols (issue 11, item 7): the old code was quadratic in unknown
 * names. Starts a node from this tree (in-process, LOG_LEVEL silent) and times sequential
 * requests per case, then /healthz while four clients loop on the heaviest case.
 * Usage: tsx scripts/bench/snapshot-rest.ts [--runs 30] [--seconds 3] [--limit-symbols 1000]
 * (--limit-symbols is LIMIT_SYMBOLS, the cap on named symbols; 10000 times the 3,900 names in full.)
 * To compare with an older commit, run the same file from a clone checked out there.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createNode } from '../../server/node/all.js';
import { loadConfig } from '../../server/config.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' }, seconds: { type: 'string', default: '3' }, 'limit-symbols': { type: 'string', default: '1000' } } });
const runs = Number(values.runs);
const seconds = Number(values.seconds);

const ALL_CHANNELS = 'ticker,trades,candles:1s,candles:1m,candles:5m,candles:1h';
// Three-character names (none is a symbol served) keep 3,900 of them under Node's 16 KiB request head.
const unknown = (n: number) => Array.from({ length: n }, (_, i) => i.toString(36).toUpperCase().padStart(3, '0')).join(',');

const node = await createNode({ ...loadConfig({ LOG_LEVEL: 'silent', LIMIT_SYMBOLS: values['limit-symbols'] }), port: 0, host: '127.0.0.1' });
const url = await node.start();
const known = node.feed.instruments.map((i) => i.symbol).join(',');
const cases: [string, string][] = [
  ['3900 unknown x 6 channels', `/api/snapshot?symbols=${unknown(3900)}&channels=${ALL_CHANNELS}`],
  ['1000 unknown x 6 channels', `/api/snapshot?symbols=${unknown(1000)}&channels=${ALL_CHANNELS}`],
  [`${node.feed.instruments.length} known x 6 channels`, `/api/snapshot?symbols=${known}&channels=${ALL_CHANNELS}`],
];

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (x: number) => x.toFixed(2).padStart(8);

async function time(path: string): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  const res = await fetch(url + path);
  await res.arrayBuffer();
  return { ms: performance.now() - t0, status: res.status };
}

console.log(`case                          status   mean ms   p50 ms   p99 ms   (${runs} sequential requests after 3 warm-up)`);
for (const [name, path] of cases) {
  for (let i = 0; i < 3; i++) await time(path);
  const ms: number[] = [];
  let status = 0;
  for (let i = 0; i < runs; i++) {
    const r = await time(path);
    status = r.status;
    ms.push(r.ms);
  }
  console.log(`${name.padEnd(30)}${String(status).padStart(6)}${fmt(ms.reduce((a, b) => a + b, 0) / ms.length)} ${fmt(pct(ms, 50))} ${fmt(pct(ms, 99))}`);
}

// /healthz while four clients loop on the heaviest case.
const heavy = cases[0][1];
let stop = false;
const loops = Array.from({ length: 4 }, async () => {
  let n = 0;
  while (!stop) (await time(heavy), n++);
  return n;
});
const health: number[] = [];
const until = performance.now() + seconds * 1000;
while (performance.now() < until) {
  health.push((await time('/healthz')).ms);
  await new Promise((r) => setTimeout(r, 50));
}
stop = true;
const loopsDone = (await Promise.all(loops)).reduce((a, b) => a + b, 0);
console.log(`/healthz with 4 clients looping on "${cases[0][0]}" for ${seconds} s: p50 ${pct(health, 50).toFixed(1)} ms, p99 ${pct(health, 99).toFixed(1)} ms, max ${Math.max(...health).toFixed(1)} ms (${loopsDone} heavy requests served)`);
await node.close();

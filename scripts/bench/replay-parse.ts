/**
 * Replay reader parse rate (docs/replay.md): writes a gzipped Tardis trades file of --lines
 * lines (default 1,000,000), then in the same run times `zcat FILE | wc -l` (the baseline), the
 * reader alone (lines read and parsed into rows: FileCursor) and the whole replay source at
 * max (merge, book rules, market events), with its RSS sampled as it goes. Prints rates and
 * the reader's share of zcat's.
 *   npx tsx scripts/bench/replay-parse.ts [--lines N] [--rounds N] [--keep]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { FileCursor } from '../../server/feed/replay/cursor.js';
import { ReplaySource } from '../../server/feed/replay/replay-source.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const LINES = arg('--lines', 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'tw-replay-bench-'));
const file = join(dir, 'deribit_trades_2025-01-01_BTC-PERPETUAL.csv.gz');

// A day of BTC trades, as Tardis writes them.
const parts: string[] = ['exchange,symbol,timestamp,local_timestamp,id,side,price,amount'];
let t = 1_735_689_600_000_000;
let p = 104_500;
for (let i = 0; i < LINES - 1; i++) {
  t += 1 + ((i * 7919) % 86_000);
  p = Math.max(1, p + (((i * 104729) % 21) - 10) * 0.5);
  parts.push(`deribit,BTC-PERPETUAL,${t - 250},${t},${300_000_000 + i},${i % 3 ? 'buy' : 'sell'},${p.toFixed(1)},${(((i * 31) % 5000) + 1) / 10}`);
}
writeFileSync(file, gzipSync(parts.join('\n') + '\n'));
parts.length = 0;
console.log(`file: ${LINES.toLocaleString()} lines, ${(statSync(file).size / 1e6).toFixed(1)} MB gzipped`);

const time = async (fn: () => unknown): Promise<number> => {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
};

const zcat = () => Number(execFileSync('sh', ['-c', `zcat '${file}' | wc -l`]).toString().trim());
const reader = async () => {
  let rows = 0;
  const cur = await FileCursor.open(file, () => {});
  for (;;) {
    if (!cur.ready) await cur.fill();
    if (!cur.head()) return rows;
    rows++;
    cur.advance();
  }
};
/** RSS (MiB) every 100,000 events of the last source run: flat when the reader streams. */
let rss: number[] = [];
const source = async () => {
  let events = 0;
  rss = [];
  let next = 100_000;
  const src = await ReplaySource.create({ files: [file], speed: 'max', loop: false });
  await new Promise<void>((resolve) => {
    src.hooks = { restart() {}, history() {}, live() {}, clock: (c) => c.ended && resolve() };
    src.start((batch) => {
      events += batch.length;
      if (events >= next) (next += 100_000), rss.push(process.memoryUsage().rss / 2 ** 20);
    });
  });
  src.stop();
  return events;
};

// Rounds interleaved (the machine is shared: its load moves), medians reported.
const ROUNDS = arg('--rounds', 3);
const times = { zcat: [] as number[], reader: [] as number[], source: [] as number[] };
let zcatLines = 0, rows = 0, events = 0;
for (let r = 0; r < ROUNDS; r++) {
  times.zcat.push(await time(() => (zcatLines = zcat())));
  times.reader.push(await time(async () => (rows = await reader())));
  times.source.push(await time(async () => (events = await source())));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const zcatS = median(times.zcat), readerS = median(times.reader), sourceS = median(times.source);

const rate = (n: number, s: number) => `${(n / s / 1e6).toFixed(2)} M lines/s`;
console.log(`zcat | wc -l         ${zcatLines.toLocaleString()} lines in ${zcatS.toFixed(2)} s: ${rate(zcatLines, zcatS)}`);
console.log(`reader (rows parsed) ${rows.toLocaleString()} rows in ${readerS.toFixed(2)} s: ${rate(rows, readerS)} = ${((zcatS / readerS) * 100).toFixed(0)}% of zcat's rate`);
console.log(`source at max        ${events.toLocaleString()} events in ${sourceS.toFixed(2)} s: ${rate(events, sourceS)} = ${((zcatS / sourceS) * 100).toFixed(0)}% of zcat's rate`);
if (rss.length > 1) console.log(`RSS during the source run: ${rss[0]!.toFixed(0)} MiB after 100,000 events, ${rss.at(-1)!.toFixed(0)} MiB at the end, ${Math.max(...rss).toFixed(0)} MiB at most (${rss.length} samples)`);
console.log(`(medians of ${ROUNDS} interleaved rounds; the source's time includes its scan pass)`);
if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true });

/**
 * What a symbol's first touch leaves in RSS, beside the heap: a SimSource and a MarketState
 * of `--symbols` symbols split between `--owners` requesters (default 10, as scenario G's
 * clients), each asking the warm-up for its symbols in groups of 128 at once and reading
 * each group (a snapshot of every channel) when ready, in order, yielding every 4 symbols, as
 * a large subscribe does (control.ts). Back-fills by the pool, or in-thread with `--inline`;
 * `--window` sets the warm-up's window. Then a full GC; prints RSS, the heap, external memory
 * and RSS outside them, against the same before any first touch. Run with
 * `node --expose-gc --import tsx scripts/bench/watch-firsttouch-rss.ts [--symbols 2000] [--owners 10] [--window 256] [--inline]`.
 */
import { parseArgs } from 'node:util';
import { SimSource } from '../../server/feed/sim-source.js';
import { MarketState } from '../../server/market/market-state.js';
import { Warmup } from '../../server/node/warmup.js';
import { BackfillPool } from '../../server/work/backfill-pool.js';

const { values: v } = parseArgs({ options: { symbols: { type: 'string', default: '2000' }, owners: { type: 'string', default: '10' }, window: { type: 'string', default: '256' }, inline: { type: 'boolean' } } });
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const MiB = 2 ** 20;
function mem(label: string) {
  gc!();
  gc!();
  const m = process.memoryUsage();
  const row = { rss: m.rss / MiB, heap: m.heapUsed / MiB, external: m.external / MiB, other: (m.rss - m.heapUsed - m.external) / MiB };
  console.log(`${label}: ${Object.entries(row).map(([k, x]) => `${k} ${x.toFixed(0)}`).join(', ')} MiB`);
  return row;
}

const feed = new SimSource({ symbols: Number(v.symbols), rate: 5, seed: 'bench' });
const market = new MarketState({ quiet: { bookOf: (s) => feed.history(s).book! } });
for (const inst of feed.instruments) market.addSymbol(inst.symbol, feed.history(inst.symbol));
const pool = v.inline ? undefined : new BackfillPool(feed.recipe, { workers: 1 });
const warmup = new Warmup(feed, (s) => market.loaded(s), pool, { window: Number(v.window) });
const syms = feed.instruments.map((i) => i.symbol);
const before = mem('before');
const t0 = performance.now();
const CH = ['ticker', 'trades', 'book', 'candles:1s', 'candles:1m', 'candles:5m', 'candles:1h'] as const;
const owners = Number(v.owners);
const per = Math.ceil(syms.length / owners);
let peak = 0;
await Promise.all(Array.from({ length: owners }, async (_, k) => {
  const mine = syms.slice(k * per, (k + 1) * per);
  const owner = {};
  const groups: string[][] = [];
  for (let i = 0; i < mine.length; i += 128) groups.push(mine.slice(i, i + 128));
  const ready = groups.map((g) => warmup.warm(g, owner));
  for (let g = 0; g < groups.length; g++) {
    await ready[g];
    for (let i = 0; i < groups[g]!.length; i++) {
      for (const ch of CH) market.snapshot(groups[g]![i]!, ch);
      if ((i & 3) === 3) await new Promise((r) => setImmediate(r));
      peak = Math.max(peak, warmup.outstanding);
    }
  }
}));
console.log(`most histories out at once: ${peak}`);
const took = (performance.now() - t0) / 1000;
const after = mem(`after (${took.toFixed(1)} s)`);
console.log(`per symbol KiB: rss ${(((after.rss - before.rss) * 1024) / syms.length).toFixed(1)}, heap ${(((after.heap - before.heap) * 1024) / syms.length).toFixed(1)}, external ${(((after.external - before.external) * 1024) / syms.length).toFixed(1)}, other ${(((after.other - before.other) * 1024) / syms.length).toFixed(1)}`);
await warmup.close();
await new Promise((r) => setTimeout(r, 500));
mem('after the pool closed');

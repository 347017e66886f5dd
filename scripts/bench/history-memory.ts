/**
 * Memory of the recovery history (HISTORY_MS, HISTORY_TRADES) per symbol: 500 symbols of the
 * simulator at FEED_RATE on a virtual clock, run for longer than the window, heap measured
 * after GC with the history started and then full. Pure computation, no server.
 *
 *   node --expose-gc --import tsx scripts/bench/history-memory.ts [--symbols 500] [--rate 5] [--ms 120000]
 */
import { CHANNELS } from '../../shared/protocol.js';
import { SimSource } from '../../server/feed/sim-source.js';
import { History } from '../../server/history/history.js';
import { MarketState } from '../../server/market/market-state.js';
import type { StreamEvent } from '../../server/market/stream-event.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SYMBOLS = arg('symbols', 500);
const RATE = arg('rate', 5);
const MS = arg('ms', 120_000);
const TRADES = arg('trades', 1000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

let now = Date.UTC(2026, 0, 5, 15);
let tick: (() => void) | undefined;
const feed = new SimSource({ symbols: SYMBOLS, rate: RATE, seed: 'mem', now: () => now, setTimer: (fn) => ((tick = fn), 1), clearTimer: () => {} });
const market = new MarketState();
for (const i of feed.instruments) market.addSymbol(i.symbol, feed.history(i.symbol));
const history = new History({ ms: MS, trades: TRADES });
for (const i of feed.instruments) for (const ch of CHANNELS) { const s = market.snapshot(i.symbol, ch); if (s) history.reset(s, 'e', now); }
const out: StreamEvent[] = [];
let events = 0;
feed.start((batch) => {
  out.length = 0;
  for (const e of batch) market.apply(e, out);
  events += out.length;
  history.record(out, now, 'e');
});
const empty = heap();
const TICK = 20;
for (let t = 0; t < MS + 10_000; t += TICK) {
  now += TICK;
  tick!();
}
history.prune(now);
const full = heap();
const perSymbol = (full - empty) / SYMBOLS;
console.log(
  JSON.stringify({ symbols: SYMBOLS, rate: RATE, historyMs: MS, historyTrades: TRADES, eventsPerSymbolInWindow: Math.round((events / SYMBOLS) * (MS / (MS + 10_000))), heldMiB: +((full - empty) / 2 ** 20).toFixed(1), perSymbolKiB: +(perSymbol / 1024).toFixed(1) }, null, 1),
);

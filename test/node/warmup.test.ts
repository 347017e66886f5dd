/**
 * The warm-up's choice between the pool and the caller's thread: a small request is read
 * in-thread while no worker has loaded (no worker started for it), and goes to the pool once
 * one has, whatever its size. Its window: requests admitted whole, owners in turn, while fewer
 * histories than the window are out; a history read, or stale, makes room.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SimSource } from '../../server/feed/sim-source.js';
import { MarketState } from '../../server/market/market-state.js';
import { readIn, Warmup } from '../../server/node/warmup.js';
import { BackfillPool } from '../../server/work/backfill-pool.js';
import { until } from '../helpers/wait.js';

const feed = new SimSource({ symbols: 40, rate: 5, seed: 'warmup-test', now: () => 1_790_000_000_123 });
const market = new MarketState();
for (const inst of feed.instruments) market.addSymbol(inst.symbol, feed.history(inst.symbol));
const pool = new BackfillPool(feed.recipe, { workers: 1 });
const warmup = new Warmup(feed, readIn(market), pool);
afterAll(() => warmup.close());
const syms = feed.instruments.map((i) => i.symbol);
const owner = {};

describe('Warmup', () => {
  it('leaves a small request to the caller while no worker has loaded, and sends a large one to the pool', async () => {
    expect(pool.ready).toBe(false); // under tsx nothing starts with the node
    expect(syms.slice(0, 3).every((s) => warmup.cold(s))).toBe(true);
    await warmup.warm(syms.slice(0, 3), owner, 4);
    expect(syms.slice(0, 3).some((s) => feed.provided(s, 'head'))).toBe(false); // read in-thread by the caller
    await warmup.warm(syms.slice(3, 8), owner, 4); // 5 > 4: the pool
    expect(syms.slice(3, 8).every((s) => feed.provided(s, 'head') && !warmup.cold(s))).toBe(true);
  });

  it('sends even a small request to the pool once a worker has loaded', async () => {
    await until('a worker loaded', () => pool.ready, 30_000);
    await warmup.warm(syms.slice(10, 11), owner, 64);
    expect(feed.provided(syms[10]!, 'head')).toBe(true);
    expect(warmup.cold(syms[10]!)).toBe(false); // provided: its first snapshot reads it, computes nothing
    market.snapshot(syms[10]!, 'ticker');
    expect(market.loaded(syms[10]!) && !feed.provided(syms[10]!, 'head')).toBe(true);
  });

  it('readies a snapshot with the head only, and older candles with the whole back-fill, read once asked for', async () => {
    await until('a worker loaded', () => pool.ready, 30_000);
    const s = syms[12]!;
    await warmup.warm([s], owner, 0);
    expect(feed.provided(s, 'head') && !feed.provided(s, 'full')).toBe(true);
    market.snapshot(s, 'candles:1m');
    expect(market.loaded(s) && !market.complete(s)).toBe(true);
    expect(warmup.cold(s, 'head')).toBe(false);
    expect(warmup.cold(s, 'full')).toBe(true);
    await warmup.warm([s], owner, 0, 'full');
    expect(feed.provided(s, 'full')).toBe(true);
    // The bars as one read of the whole history gives them (a fresh market over the same recipe).
    const bars = market.candles(s, '1m', 5000)!;
    expect(market.complete(s) && !feed.provided(s, 'full')).toBe(true);
    const again = new MarketState();
    again.addSymbol(s, feed.history(s));
    expect(bars).toEqual(again.candles(s, '1m', 5000));
    expect(bars.length).toBeGreaterThan(1400);
  });

  it('reads a head from a whole back-fill readied first (candles before any snapshot)', async () => {
    await until('a worker loaded', () => pool.ready, 30_000);
    const s = syms[13]!;
    await warmup.warm([s], owner, 0, 'full');
    expect(feed.provided(s, 'full')).toBe(true);
    const again = new MarketState();
    again.addSymbol(s, feed.history(s));
    expect(market.candles(s, '1s', 5000)).toEqual(again.candles(s, '1s', 5000));
    expect(market.complete(s) && !feed.provided(s, 'head')).toBe(true);
    for (const ch of ['ticker', 'candles:1m', 'candles:5m', 'candles:1h'] as const) expect(market.snapshot(s, ch)).toEqual(again.snapshot(s, ch));
  });
});

describe('Warmup window', () => {
  // A second market over the same recipe (same seed), sharing the pool (closed by the first).
  const feed2 = new SimSource({ symbols: 40, rate: 5, seed: 'warmup-test', now: () => 1_790_000_000_123 });
  const market2 = new MarketState();
  for (const inst of feed2.instruments) market2.addSymbol(inst.symbol, feed2.history(inst.symbol));
  let t = 0;
  const w = new Warmup(feed2, readIn(market2), pool, { window: 1, everyMs: 2, staleMs: 1000, now: () => t });
  const s2 = feed2.instruments.map((i) => i.symbol);

  it('admits whole requests, owners in turn, as reads make room; a history never read stops counting when stale', async () => {
    await until('a worker loaded', () => pool.ready, 30_000);
    const A = {};
    const B = {};
    const order: string[] = [];
    const a1 = w.warm([s2[20]!, s2[21]!], A).then(() => order.push('a1')); // admitted whole, beyond the window
    const a2 = w.warm([s2[22]!], A).then(() => order.push('a2'));
    const a3 = w.warm([s2[23]!], A).then(() => order.push('a3'));
    const b1 = w.warm([s2[24]!], B).then(() => order.push('b1'));
    await a1;
    expect(w.outstanding).toBe(2);
    expect(feed2.provided(s2[22]!, 'head') || feed2.provided(s2[24]!, 'head')).toBe(false); // nothing else asked
    market2.snapshot(s2[20]!, 'ticker');
    market2.snapshot(s2[21]!, 'ticker'); // both read: room
    await a2;
    market2.snapshot(s2[22]!, 'ticker');
    await b1; // B's turn before A's third
    expect(order).toEqual(['a1', 'a2', 'b1']);
    expect(feed2.provided(s2[23]!, 'head')).toBe(false);
    t += 1000; // b1's history was never read: stale, it stops counting
    await a3;
    expect(order).toEqual(['a1', 'a2', 'b1', 'a3']);
    expect(feed2.provided(s2[24]!, 'head')).toBe(true); // still there for its read
    market2.snapshot(s2[23]!, 'ticker');
    market2.snapshot(s2[24]!, 'ticker');
    await until('nothing out', () => w.outstanding === 0);
  });
});

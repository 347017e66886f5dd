/**
 * The warm-up's choice between the pool and the caller's thread: a small request is read
 * in-thread while no worker has loaded (no worker started for it), and goes to the pool once
 * one has, whatever its size.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SimSource } from '../../server/feed/sim-source.js';
import { MarketState } from '../../server/market/market-state.js';
import { Warmup } from '../../server/node/warmup.js';
import { BackfillPool } from '../../server/work/backfill-pool.js';
import { until } from '../helpers/wait.js';

const feed = new SimSource({ symbols: 40, rate: 5, seed: 'warmup-test', now: () => 1_790_000_000_123 });
const market = new MarketState();
for (const inst of feed.instruments) market.addSymbol(inst.symbol, feed.history(inst.symbol));
const pool = new BackfillPool(feed.recipe, { workers: 1 });
const warmup = new Warmup(feed, (s) => market.loaded(s), pool);
afterAll(() => warmup.close());
const syms = feed.instruments.map((i) => i.symbol);
const owner = {};

describe('Warmup', () => {
  it('leaves a small request to the caller while no worker has loaded, and sends a large one to the pool', async () => {
    expect(pool.ready).toBe(false); // under tsx nothing starts with the node
    expect(syms.slice(0, 3).every((s) => warmup.cold(s))).toBe(true);
    await warmup.warm(syms.slice(0, 3), owner, 4);
    expect(syms.slice(0, 3).some((s) => feed.provided(s))).toBe(false); // read in-thread by the caller
    await warmup.warm(syms.slice(3, 8), owner, 4); // 5 > 4: the pool
    expect(syms.slice(3, 8).every((s) => feed.provided(s) && !warmup.cold(s))).toBe(true);
  });

  it('sends even a small request to the pool once a worker has loaded', async () => {
    await until('a worker loaded', () => pool.ready, 30_000);
    await warmup.warm(syms.slice(10, 11), owner, 64);
    expect(feed.provided(syms[10]!)).toBe(true);
    expect(warmup.cold(syms[10]!)).toBe(false); // provided: its first snapshot reads it, computes nothing
    market.snapshot(syms[10]!, 'ticker');
    expect(market.loaded(syms[10]!) && !feed.provided(syms[10]!)).toBe(true);
  });
});

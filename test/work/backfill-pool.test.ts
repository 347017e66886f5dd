/**
 * First-touch back-fills off the event loop: a worker's history is the simulator's own, bar for
 * bar; the pool serves owners in turn; the fair queue and the slice budget alone.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { historyOf } from '../../server/feed/history-job.js';
import { SimSource } from '../../server/feed/sim-source.js';
import { BackfillPool } from '../../server/work/backfill-pool.js';
import { FairQueue } from '../../server/work/fair-queue.js';
import { MarketState } from '../../server/market/market-state.js';
import { CandleSeries } from '../../server/market/candle-series.js';

const feed = new SimSource({ symbols: 60, rate: 5, seed: 'pool-test', now: () => 1_790_000_000_123 });
const pool = new BackfillPool(feed.recipe, { workers: 2, batch: 3 });
afterAll(() => pool.close());
const A = {};
const B = {};

describe('history-job', () => {
  it('computes the same back-fill as the simulator, in-thread', () => {
    for (const inst of feed.instruments.slice(0, 5)) {
      const h = historyOf(feed.recipe, inst);
      const own = feed.history(inst.symbol);
      expect(h.session).toEqual(own.session);
      const fresh = new SimSource({ symbols: 60, rate: 5, seed: 'pool-test', now: () => 1_790_000_000_123 });
      fresh.provide(h);
      expect(fresh.provided(inst.symbol)).toBe(true);
      expect(fresh.history(inst.symbol).bars).toEqual(own.bars);
      expect(fresh.provided(inst.symbol)).toBe(false); // taken by its use
    }
  });
});

describe('BackfillPool', () => {
  it("returns each symbol's history from a worker thread, equal to the in-thread one", async () => {
    const insts = feed.instruments.slice(10, 20);
    const got = await Promise.all(insts.map((inst, i) => pool.run(inst, i % 2 ? A : B)));
    for (let i = 0; i < insts.length; i++) {
      const want = historyOf(feed.recipe, insts[i]!);
      expect(got[i]!.symbol).toBe(insts[i]!.symbol);
      expect(got[i]!.session).toEqual(want.session);
      // The worker hands on the candle series only (the bars would be garbage here): the same bars.
      expect(got[i]!.bars).toBeUndefined();
      for (const iv of ['1s', '1m', '5m', '1h'] as const) {
        const bars = CandleSeries.from(got[i]!.series![iv]);
        expect(bars.length).toBe(want.bars![iv].count);
        expect(bars.tail(bars.length)).toEqual(CandleSeries.from(want.series![iv]).tail(bars.length));
      }
    }
  });

  it('a market state loading a provided history answers as one that computed its own', async () => {
    const a = new SimSource({ symbols: 60, rate: 5, seed: 'pool-test', now: () => 1_790_000_000_123 });
    const b = new SimSource({ symbols: 60, rate: 5, seed: 'pool-test', now: () => 1_790_000_000_123 });
    const sym = a.instruments[33]!.symbol;
    const given = await pool.run(b.instruments[33]!, A);
    // The worker built the candle series too: the first read adopts them instead of pushing every bar.
    expect(Object.keys(given.series ?? {}).sort()).toEqual(['1h', '1m', '1s', '5m']);
    b.provide(given);
    const ma = new MarketState();
    const mb = new MarketState();
    // ma reads Candle objects (`bars`), mb the worker's series (`takeSeries`).
    const h = a.history(sym);
    ma.addSymbol(sym, { bars: h.bars, quote: h.quote, last: h.last, session: h.session, book: h.book, asOf: h.asOf });
    mb.addSymbol(sym, b.history(sym));
    for (const ch of ['ticker', 'candles:1s', 'candles:1h'] as const) expect(mb.snapshot(sym, ch)).toEqual(ma.snapshot(sym, ch));
    expect(mb.candles(sym, '1m', 3000)).toEqual(ma.candles(sym, '1m', 3000));
    // And they go on alike: live trades open new bars and move the open ones.
    const t0 = h.asOf!;
    for (let k = 1; k <= 40; k++) {
      const price = h.last * (1 + (k % 7) * 0.001);
      const e = { symbol: sym, ts: t0 + k * 700, quote: h.quote, trade: { price, size: 1, side: 'buy' as const } };
      ma.apply(e);
      mb.apply(e);
    }
    for (const iv of ['1s', '1m', '5m', '1h'] as const) expect(mb.candles(sym, iv, 5000)).toEqual(ma.candles(sym, iv, 5000));
  });

  it('rejects after close', async () => {
    const p = new BackfillPool(feed.recipe, { workers: 1 });
    await p.close();
    await expect(p.run(feed.instruments[0]!, A)).rejects.toThrow(/closed/);
  });
});

describe('FairQueue', () => {
  it('serves owners round-robin, each in its own order, up to max at a time', () => {
    const q = new FairQueue<string>();
    const big = {};
    const small = {};
    for (let i = 0; i < 5; i++) q.add(big, `b${i}`);
    q.add(small, 's0');
    expect(q.take(2)).toEqual(['b0', 'b1']);
    expect(q.take(2)).toEqual(['s0']);
    expect(q.take(2)).toEqual(['b2', 'b3']);
    q.add(small, 's1');
    expect(q.take(2)).toEqual(['b4']);
    expect(q.take(2)).toEqual(['s1']);
    expect(q.take(2)).toEqual([]);
    expect(q.size).toBe(0);
  });

  it('takes by weight when given one: as many as weigh max at most, at least one', () => {
    const q = new FairQueue<number>();
    const a = {};
    for (const w of [1, 1, 3, 1, 5, 2]) q.add(a, w);
    const weight = (w: number) => w;
    expect(q.take(3, weight)).toEqual([1, 1]);
    expect(q.take(3, weight)).toEqual([3]);
    expect(q.take(3, weight)).toEqual([1]);
    expect(q.take(3, weight)).toEqual([5]); // heavier than max alone: still taken
    expect(q.take(3, weight)).toEqual([2]);
    expect(q.size).toBe(0);
  });
});

describe('samplesOf (event-loop delay histogram)', () => {
  it('spreads the count over the percentile steps at their upper values, less the offset', async () => {
    const { samplesOf } = await import('../../server/http/loop-delay.js');
    const p = new Map([[0, 10e6], [50, 11e6], [75, 30e6], [100, 110e6]]);
    expect(samplesOf(p, 8, 10e6)).toEqual([[0.001, 4], [0.02, 2], [0.1, 2]]);
    expect(samplesOf(p, 0)).toEqual([]);
  });
});

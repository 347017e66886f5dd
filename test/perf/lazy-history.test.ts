/**
 * Lazy back-fill: a symbol's history read when first asked for gives the same market state as
 * reading it at once, and the history does not depend on when (or whether) it is computed.
 */
import { describe, expect, it } from 'vitest';
import { CHANNELS, INTERVAL_NAMES } from '../../shared/protocol.js';
import { SimSource } from '../../server/feed/sim-source.js';
import type { MarketEvent, SymbolHistory } from '../../server/feed/tick-source.js';
import { MarketState } from '../../server/market/market-state.js';
import { CandleSeries } from '../../server/market/candle-series.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 30, 250);

/** A SimSource on a hand-driven clock; `run(ms)` returns every event of the next `ms`. */
function source(symbols: number) {
  let now = T0;
  let fire: () => void = () => {};
  const src = new SimSource({ symbols, rate: 50, seed: 'lazy', now: () => now, setTimer: (fn) => ((fire = fn), 'h'), clearTimer: () => {} });
  const events: MarketEvent[] = [];
  src.start((batch) => events.push(...batch));
  const run = (ms: number): MarketEvent[] => {
    events.length = 0;
    for (let t = 0; t < ms; t += 10) {
      now += 10;
      fire();
    }
    return events.slice();
  };
  return { src, run };
}

/** The same history with everything read at once (no `asOf`): the eager path. */
function eager(h: SymbolHistory): SymbolHistory {
  return { bars: h.bars, quote: h.quote, last: h.last, session: h.session, book: h.book };
}

describe('lazy history', { timeout: 60_000 }, () => {
  it('gives the same snapshots and candles as an eager history, whenever it is first read', () => {
    const { src, run } = source(6);
    const symbols = src.instruments.map((i) => i.symbol);
    const lazy = new MarketState();
    const now = new MarketState();
    for (const s of symbols) {
      lazy.addSymbol(s, src.history(s));
      now.addSymbol(s, eager(src.history(s)));
    }
    // Read one symbol early, the others after events crossed 1s, 1m and (from :30) no 5m bound;
    // a snapshot reads only the head (the newest bars and session), the older bars wait for a
    // read of candles: one symbol's head read half-way, another's recent bars too.
    lazy.snapshot(symbols[0]!, 'ticker');
    const apply = (ms: number) => {
      for (const e of run(ms)) {
        lazy.apply(e);
        now.apply(e);
      }
    };
    apply(35_000);
    lazy.snapshot(symbols[2]!, 'candles:1m');
    expect(lazy.candles(symbols[3]!, '1s', 3)).toEqual(now.candles(symbols[3]!, '1s', 3));
    expect(lazy.complete(symbols[3]!)).toBe(false);
    apply(35_000);
    expect(lazy.loaded(symbols[1]!)).toBe(false);
    expect(lazy.loaded(symbols[2]!) && !lazy.complete(symbols[2]!)).toBe(true);
    for (const s of symbols) {
      for (const ch of CHANNELS.filter((c) => c !== 'book')) expect(lazy.snapshot(s, ch), `${s} ${ch}`).toEqual(now.snapshot(s, ch));
      expect(lazy.snapshot(s, 'book')).toEqual(now.snapshot(s, 'book'));
      for (const iv of INTERVAL_NAMES) expect(lazy.candles(s, iv, 5000), `${s} ${iv}`).toEqual(now.candles(s, iv, 5000));
    }
    expect(lazy.loaded(symbols[1]!)).toBe(true);
  });

  it('gives the same candles when live bars fill a series before its older bars are read', () => {
    const { src, run } = source(2);
    const [s] = src.instruments.map((i) => i.symbol) as [string];
    const lazy = new MarketState();
    const now = new MarketState();
    lazy.addSymbol(s, src.history(s));
    now.addSymbol(s, eager(src.history(s)));
    lazy.snapshot(s, 'candles:1s'); // the head only
    for (let k = 0; k < 74; k++) for (const e of run(50_000)) lazy.apply(e), now.apply(e); // 3,700 s: the 1s series full of live bars
    expect(lazy.complete(s)).toBe(false);
    for (const iv of INTERVAL_NAMES) expect(lazy.candles(s, iv, 5000), iv).toEqual(now.candles(s, iv, 5000));
    expect(lazy.candles(s, '1s', 5000)).toHaveLength(3600);
  });

  it('computes the same history before and after live events, and on every read', () => {
    const a = source(4);
    const b = source(4);
    const before = a.src.history('AAPL').bars;
    b.run(2000);
    const after = b.src.history('AAPL');
    expect(after.bars).toEqual(before);
    expect(after.session).toEqual(a.src.history('AAPL').session);
    expect(after.last).toBe(after.bars['1s'].at(-1)!.close);
    expect(after.bars['1s'].at(-1)!.time).toBe(Math.floor(T0 / 1000));
  });

  it('keeps live events independent of whether histories were read', () => {
    const a = source(5);
    const b = source(5);
    for (const inst of a.src.instruments) a.src.history(inst.symbol).bars;
    expect(a.run(3000)).toEqual(b.run(3000));
  });
});

describe('CandleSeries', () => {
  it('grows by doubling and keeps the newest `capacity` bars in order', () => {
    const s = new CandleSeries(10);
    const bar = (t: number) => ({ time: t, open: t, high: t + 1, low: t - 1, close: t, volume: t / 10 });
    for (let t = 0; t < 7; t++) s.push(bar(t));
    expect(s.tail(100).map((c) => c.time)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (let t = 7; t < 23; t++) s.push(bar(t));
    expect(s.length).toBe(10);
    expect(s.tail(100)).toEqual(Array.from({ length: 10 }, (_, k) => bar(13 + k)));
    s.replaceLast(bar(99));
    expect(s.last()).toEqual(bar(99));
    expect(s.tail(2).map((c) => c.time)).toEqual([21, 99]);
  });
});

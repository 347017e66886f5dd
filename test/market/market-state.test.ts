import { describe, expect, it } from 'vitest';
import type { Candle, Interval, Ticker, Trade } from '../../shared/protocol.js';
import type { MarketEvent, SymbolHistory } from '../../server/feed/tick-source.js';
import { MarketState } from '../../server/market/market-state.js';
import type { StreamEvent } from '../../server/market/stream-event.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0); // on a whole hour
const bar = (time: number, p: number): Candle => ({ time, open: p, high: p, low: p, close: p, volume: 10 });
function history(): SymbolHistory {
  const bars = {} as Record<Interval, Candle[]>;
  bars['1s'] = [bar(T0 / 1000 - 1, 100)];
  bars['1m'] = [bar(T0 / 1000 - 60, 100)];
  bars['5m'] = [bar(T0 / 1000 - 300, 100)];
  bars['1h'] = [bar(T0 / 1000 - 3600, 100)];
  return { bars, quote: { bid: 99.99, ask: 100.01, bidSize: 100, askSize: 200 }, last: 100, session: { open: 98, high: 101, low: 97, volume: 1000 } };
}
const quote = { bid: 99.99, ask: 100.01, bidSize: 100, askSize: 200 };
const ev = (dtMs: number, q: Partial<typeof quote> = {}, trade?: MarketEvent['trade']): MarketEvent => ({
  symbol: 'X',
  ts: T0 + dtMs,
  quote: { ...quote, ...q },
  ...(trade ? { trade } : {}),
});

describe('MarketState', () => {
  it('gives every touched stream seq + 1 and only the changed ticker fields', () => {
    const m = new MarketState();
    m.addSymbol('X', history());
    const out = m.apply(ev(10, { bid: 99.98 }));
    expect(out).toEqual([{ s: 'X', ch: 'ticker', seq: 1, d: { bid: 99.98, ts: T0 + 10 } }]);
    const out2 = m.apply(ev(20, { bid: 99.98 }, { price: 102, size: 5, side: 'buy' }));
    const byCh = Object.fromEntries(out2.map((e) => [e.ch, e]));
    expect(Object.keys(byCh).sort()).toEqual(['candles:1h', 'candles:1m', 'candles:1s', 'candles:5m', 'ticker', 'trades']);
    expect(byCh.ticker).toEqual({ s: 'X', ch: 'ticker', seq: 2, d: { last: 102, volume: 1005, high: 102, ts: T0 + 20 } });
    expect(byCh.trades.d).toEqual({ id: 1, price: 102, size: 5, side: 'buy', ts: T0 + 20 });
    expect(byCh.trades.seq).toBe(1);
    const snap = m.snapshot('X', 'ticker')!;
    expect(snap.seq).toBe(2);
    expect(snap.d as unknown as Ticker).toMatchObject({ last: 102, bid: 99.98, ask: 100.01, open: 98, high: 102, low: 97, volume: 1005 });
  });

  it('aggregates candles across bar boundaries', () => {
    const m = new MarketState();
    m.addSymbol('X', history());
    const trades: [number, number, number][] = [
      [100, 101, 2], // first bar of the new minute (and hour)
      [30_000, 103, 1],
      [45_000, 99, 4],
      [59_999, 100, 1],
      [60_000, 98, 7], // next minute
    ];
    const events: StreamEvent[] = [];
    for (const [dt, price, size] of trades) m.apply(ev(dt, {}, { price, size, side: 'sell' }), events);
    const m1 = m.candles('X', '1m', 10)!;
    expect(m1.slice(-3)).toEqual([
      bar(T0 / 1000 - 60, 100),
      { time: T0 / 1000, open: 101, high: 103, low: 99, close: 100, volume: 8 },
      { time: T0 / 1000 + 60, open: 98, high: 98, low: 98, close: 98, volume: 7 },
    ]);
    const h1 = m.candles('X', '1h', 10)!.at(-1)!;
    expect(h1).toEqual({ time: T0 / 1000, open: 101, high: 103, low: 98, close: 98, volume: 15 });
    // the update that opens a bar carries the whole bar; later ones only what changed
    const oneMin = events.filter((e) => e.ch === 'candles:1m');
    expect(oneMin.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(oneMin[0].d).toEqual({ time: T0 / 1000, open: 101, high: 101, low: 101, close: 101, volume: 2 });
    expect(oneMin[1].d).toEqual({ close: 103, volume: 3, high: 103 });
    expect(oneMin[4].d).toMatchObject({ time: T0 / 1000 + 60, open: 98 });
    expect(m.snapshot('X', 'candles:1m')!.d).toEqual({ time: T0 / 1000 + 60, open: 98, high: 98, low: 98, close: 98, volume: 7 });
  });

  it('keeps a bounded list of recent trades, newest last in snapshots', () => {
    const m = new MarketState();
    m.addSymbol('X', history());
    for (let i = 0; i < 1000; i++) m.apply(ev(i, {}, { price: 100 + (i % 3), size: 1, side: 'buy' }));
    const snap = m.snapshot('X', 'trades')!;
    const list = snap.d as Trade[];
    expect(snap.seq).toBe(1000);
    expect(list.length).toBe(50);
    expect(list.at(-1)!.id).toBe(1000);
    expect(list[0].id).toBe(951);
  });

  it('continues sequences from a given start', () => {
    const m = new MarketState();
    m.addSymbol('X', history(), { ticker: 41, trades: 7 });
    const out = m.apply(ev(1, {}, { price: 100, size: 1, side: 'buy' }));
    expect(out.find((e) => e.ch === 'ticker')!.seq).toBe(42);
    expect(out.find((e) => e.ch === 'trades')!.seq).toBe(8);
    expect(m.snapshot('nope', 'ticker')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { Simulator } from '../../server/feed/simulator.js';
import { Rng } from '../../server/feed/rng.js';
import { buildUniverse } from '../../server/feed/universe.js';
import type { Instrument, MarketEvent, TradePrint } from '../../server/feed/tick-source.js';

const START = Date.UTC(2027, 5, 1, 9, 30, 0, 250);
const universe = buildUniverse(50); // every kind: equities, ETFs, crypto (4-8 size decimals), FX

/** A client-side copy of one symbol's book, kept from history().book plus every event's changes. */
class Mirror {
  bids = new Map<number, number>();
  asks = new Map<number, number>();
  constructor(readonly inst: Instrument, init: { bids: [number, number][]; asks: [number, number][] }) {
    for (const [p, q] of init.bids) this.bids.set(p, q);
    for (const [p, q] of init.asks) this.asks.set(p, q);
  }
  apply(e: MarketEvent): void {
    for (const [p, q] of e.book!.bids) q === 0 ? this.bids.delete(p) : this.bids.set(p, q);
    for (const [p, q] of e.book!.asks) q === 0 ? this.asks.delete(p) : this.asks.set(p, q);
  }
  sorted(side: 'bids' | 'asks'): [number, number][] {
    return [...this[side]].sort((a, b) => (side === 'bids' ? b[0] - a[0] : a[0] - b[0]));
  }
}

const units = (x: number, decimals: number): number => Math.round(x * 10 ** decimals);
const isMultiple = (x: number, decimals: number): boolean => Math.abs(x * 10 ** decimals - units(x, decimals)) < 1e-6;

describe('Simulated order book', { timeout: 120_000 }, () => {
  it('holds the book invariants over 100,000 events', () => {
    const sim = new Simulator(universe, new Rng('book'), START);
    const mirrors = new Map(universe.map((i) => [i.symbol, new Mirror(i, sim.history(i.symbol).book!)]));
    const pick = new Rng('pick');
    const ts = new Map(universe.map((i) => [i.symbol, START]));
    const bad: string[] = [];
    const fail = (e: MarketEvent, why: string) => bad.length < 5 && bad.push(`${why}: ${JSON.stringify(e).slice(0, 400)}`);
    let sweeps = 0;
    let trades = 0;
    let changes = 0;
    for (let k = 0; k < 100_000; k++) {
      const inst = universe[pick.int(universe.length)]!;
      const dt = pick.exp() * 200;
      const t = ts.get(inst.symbol)! + dt;
      ts.set(inst.symbol, t);
      const m = mirrors.get(inst.symbol)!;
      const beforeBids = m.sorted('bids');
      const beforeAsks = m.sorted('asks');
      const e = sim.next(inst.symbol, t, dt);
      if (!e.book) {
        fail(e, 'no book');
        continue;
      }
      // Every change on the grid: price > 0 on the tick grid, size a multiple of 10^-sizeDecimals.
      for (const [p, q] of [...e.book.bids, ...e.book.asks]) {
        changes++;
        if (!(p > 0 && isMultiple(p, inst.decimals) && q >= 0 && isMultiple(q, inst.sizeDecimals))) fail(e, `off grid ${p} ${q}`);
      }
      m.apply(e);
      const bids = m.sorted('bids');
      const asks = m.sorted('asks');
      if (!bids.length || !asks.length) fail(e, 'empty side');
      else if (!(bids[0]![0] < asks[0]![0])) fail(e, 'crossed');
      // The ticker is the touch.
      const q = e.quote;
      if (q.bid !== bids[0]?.[0] || q.bidSize !== bids[0]?.[1] || q.ask !== asks[0]?.[0] || q.askSize !== asks[0]?.[1]) fail(e, 'quote is not the touch');
      if (e.trade) {
        trades++;
        const prints: TradePrint[] = [e.trade, ...(e.sweep ?? [])];
        if (e.sweep) sweeps++;
        const levels = e.trade.side === 'buy' ? beforeAsks : beforeBids;
        const after = e.trade.side === 'buy' ? m.asks : m.bids;
        prints.forEach((pr, i) => {
          // Print i is at the i-th best level as it stood: the first at the touch.
          const [lp, lq] = levels[i] ?? [NaN, NaN];
          if (pr.price !== lp || pr.side !== e.trade!.side) fail(e, `print ${i} not at level ${i}`);
          const last = i === prints.length - 1;
          if (!(pr.size > 0 && (last ? pr.size <= lq : pr.size === lq))) fail(e, `print ${i} size`);
          // The trade took liquidity: the level is gone, or holds exactly what the trade left.
          const left = after.get(pr.price);
          if (!last && left !== undefined) fail(e, `walked level ${i} still there`);
          if (last && left !== undefined && units(left, inst.sizeDecimals) !== units(lq - pr.size, inst.sizeDecimals)) fail(e, 'touch not reduced');
        });
      }
    }
    expect(bad).toEqual([]);
    expect(trades).toBeGreaterThan(45_000);
    expect(sweeps).toBeGreaterThan(0); // large orders walk the book now and then
    expect(changes / 100_000).toBeLessThan(20); // events change a few levels, not the whole book
    // The change lists were complete: the mirrors equal the simulator's own books, sorted, sizes > 0.
    for (const inst of universe) {
      const h = sim.history(inst.symbol).book!;
      const m = mirrors.get(inst.symbol)!;
      expect(h.bids).toEqual(m.sorted('bids'));
      expect(h.asks).toEqual(m.sorted('asks'));
      for (let i = 1; i < h.bids.length; i++) expect(h.bids[i]![0]).toBeLessThan(h.bids[i - 1]![0]);
      for (let i = 1; i < h.asks.length; i++) expect(h.asks[i]![0]).toBeGreaterThan(h.asks[i - 1]![0]);
      for (const [, q] of [...h.bids, ...h.asks]) expect(q).toBeGreaterThan(0);
    }
  });

  it('keeps enough levels beyond the published depth for levels to enter and leave it', () => {
    for (const depth of [10, 20, 100]) {
      const sim = new Simulator(universe, new Rng('depth'), START, { bookDepth: depth });
      for (const s of ['AAPL', 'BTC-USD', 'EURUSD']) {
        for (let k = 1; k <= 300; k++) sim.next(s, START + k * 100, 100);
        const b = sim.history(s).book!;
        expect(b.bids.length, `${s} ${depth}`).toBeGreaterThan(depth);
        expect(b.asks.length, `${s} ${depth}`).toBeGreaterThan(depth);
      }
    }
  });

  it('grows sizes away from the touch and concentrates changes near it', () => {
    const sim = new Simulator(universe, new Rng('shape'), START);
    const nearSize: number[] = [];
    const farSize: number[] = [];
    let near = 0;
    let far = 0;
    for (let k = 1; k <= 20_000; k++) {
      const e = sim.next('AAPL', START + k * 200, 200);
      const b = sim.history('AAPL').book!;
      if (k % 100 === 0) {
        nearSize.push(...b.bids.slice(0, 3).map((l) => l[1]));
        farSize.push(...b.bids.slice(15, 18).map((l) => l[1]));
      }
      for (const [p] of e.book!.bids) (b.bids.findIndex((l) => l[0] <= p) < 5 ? near++ : far++);
    }
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    expect(mean(farSize)).toBeGreaterThan(1.5 * mean(nearSize));
    expect(near).toBeGreaterThan(2 * far);
  });

  it('shifts the book when the mid jumps', () => {
    const sim = new Simulator(universe, new Rng('jump'), START);
    const before = sim.history('AAPL').quote;
    // A whole simulated day in one step moves the mid by about the daily volatility (~4 $).
    const e = sim.next('AAPL', START + 86_400_000, 86_400_000);
    expect(Math.abs(e.quote.bid - before.bid)).toBeGreaterThan(0.05);
    const b = sim.history('AAPL').book!;
    expect(b.bids[0]![0]).toBeLessThan(b.asks[0]![0]);
    expect(e.quote.ask - e.quote.bid).toBeLessThan(0.1); // the touch is rebuilt at the new mid
  });
});

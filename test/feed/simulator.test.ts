import { describe, expect, it } from 'vitest';
import { Simulator } from '../../server/feed/simulator.js';
import { Rng } from '../../server/feed/rng.js';
import { buildUniverse, microstructure } from '../../server/feed/universe.js';
import type { MarketEvent } from '../../server/feed/tick-source.js';

const START = Date.UTC(2027, 5, 1, 9, 30, 0, 250);
const universe = buildUniverse(60); // every default instrument and a few generated ones
const onGrid = (p: number, tick: number): boolean => Math.abs(p / tick - Math.round(p / tick)) < 1e-6;

/** `n` events over random symbols with random steps, as a feed would ask for them. */
function run(sim: Simulator, seed: string, n: number, symbols = universe.map((i) => i.symbol)): MarketEvent[] {
  const pick = new Rng(seed);
  const ts = new Map(symbols.map((s) => [s, START]));
  const out: MarketEvent[] = [];
  for (let k = 0; k < n; k++) {
    const symbol = symbols[pick.int(symbols.length)];
    const dt = pick.exp() * 500;
    const t = ts.get(symbol)! + dt;
    ts.set(symbol, t);
    out.push(sim.next(symbol, t, dt));
  }
  return out;
}

// Generous timeouts: shared CI machines are slow.
describe('Simulator', { timeout: 30_000 }, () => {
  it('replays identical events and history for the same seed, and differs for another', () => {
    const some = universe.slice(0, 12).map((i) => i.symbol);
    const a = run(new Simulator(universe, new Rng('s'), START), 'p', 2000, some);
    const b = run(new Simulator(universe, new Rng('s'), START), 'p', 2000, some);
    const c = run(new Simulator(universe, new Rng('t'), START), 'p', 2000, some);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Simulator(universe, new Rng('s'), START).history('AAPL')).toEqual(new Simulator(universe, new Rng('s'), START).history('AAPL'));
  });

  it("keeps each symbol's stream independent of the other symbols", () => {
    const alone = new Simulator(universe, new Rng('s'), START);
    const crowd = new Simulator(universe, new Rng('s'), START);
    run(crowd, 'noise', 500, universe.map((i) => i.symbol).filter((s) => s !== 'EURUSD')); // others first
    const mine = (sim: Simulator) => Array.from({ length: 50 }, (_, k) => sim.next('EURUSD', START + 100 * (k + 1), 100));
    expect(mine(crowd)).toEqual(mine(alone));
  });

  it('keeps 10,000 events sane: positive, on the grid, bid < ask, trades at the previous touch', () => {
    const sim = new Simulator(universe, new Rng('sane'), START);
    const prev = new Map(universe.map((i) => [i.symbol, sim.history(i.symbol).quote]));
    const events = run(sim, 'sane', 10_000);
    const bad: string[] = [];
    let trades = 0;
    for (const e of events) {
      const inst = universe.find((i) => i.symbol === e.symbol)!;
      const { bid, ask, bidSize, askSize } = e.quote;
      const tick = inst.tickSize;
      let ok = bid > 0 && ask >= bid + tick * (1 - 1e-9) && onGrid(bid, tick) && onGrid(ask, tick) && bidSize > 0 && askSize > 0;
      const before = prev.get(e.symbol)!;
      if (e.trade) {
        trades++;
        const { price, size, side } = e.trade;
        const lot = microstructure(inst).lot;
        ok &&= price === (side === 'buy' ? before.ask : before.bid);
        ok &&= size >= lot && size <= (side === 'buy' ? before.askSize : before.bidSize);
        ok &&= Math.abs(size / lot - Math.round(size / lot)) < 1e-6;
      }
      prev.set(e.symbol, e.quote);
      if (!ok) bad.push(JSON.stringify(e));
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(trades / events.length).toBeGreaterThan(0.45);
    expect(trades / events.length).toBeLessThan(0.55);
    const sides = events.filter((e) => e.trade?.side === 'buy').length / trades;
    expect(sides).toBeGreaterThan(0.4);
    expect(sides).toBeLessThan(0.6);
  });

  it('continues the walk from where the history ends', () => {
    const sim = new Simulator(universe, new Rng('cont'), START);
    for (const inst of universe.slice(0, 20)) {
      const { last } = sim.history(inst.symbol);
      const e = sim.next(inst.symbol, START + 50, 50);
      const mid = (e.quote.bid + e.quote.ask) / 2;
      expect(Math.abs(mid / last - 1), inst.symbol).toBeLessThan(0.002);
    }
  });

  it('moves prices by about the daily volatility over a simulated day', () => {
    const sim = new Simulator(universe, new Rng('day'), START);
    const z: number[] = [];
    for (const inst of universe) {
      const first = sim.history(inst.symbol).last;
      let e: MarketEvent | undefined;
      for (let k = 1; k <= 1440; k++) e = sim.next(inst.symbol, START + k * 60_000, 60_000); // minute steps
      z.push(Math.log((e!.quote.bid + e!.quote.ask) / 2 / first) / inst.vol);
    }
    const rms = Math.sqrt(z.reduce((a, x) => a + x * x, 0) / z.length);
    expect(rms).toBeGreaterThan(0.6);
    expect(rms).toBeLessThan(1.5);
  });

  it('does not move the price for a zero step', () => {
    const sim = new Simulator(universe, new Rng('zero'), START);
    const mids = Array.from({ length: 20 }, () => sim.next('AAPL', START, 0)).map((e) => e.quote.bid + e.quote.ask);
    expect(Math.max(...mids) - Math.min(...mids)).toBeLessThan(0.1); // only the spread jitters
  });

  it('returns fresh history arrays on each call, with equal contents', () => {
    const sim = new Simulator(universe, new Rng('fresh'), START);
    const a = sim.history('SPY');
    a.bars['1m'].push({ time: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 });
    const b = sim.history('SPY');
    expect(b.bars['1m'].length).toBe(a.bars['1m'].length - 1);
    expect(b.bars['1s']).toEqual(a.bars['1s']);
  });

  it('throws on an unknown symbol', () => {
    const sim = new Simulator(universe, new Rng(1), START);
    expect(() => sim.next('NOPE', START, 1)).toThrow(/unknown symbol/);
    expect(() => sim.history('NOPE')).toThrow(/unknown symbol/);
  });
});

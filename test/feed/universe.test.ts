import { describe, expect, it } from 'vitest';
import { buildUniverse, defaultUniverse, microstructure } from '../../server/feed/universe.js';
import { Rng } from '../../server/feed/rng.js';

const decimalsOf = (x: number): number => (String(x).split('.')[1] ?? '').length;

describe('defaultUniverse', () => {
  const universe = defaultUniverse();

  it('has at least 44 instruments with unique symbols, of every kind', () => {
    expect(universe.length).toBeGreaterThanOrEqual(44);
    expect(new Set(universe.map((i) => i.symbol)).size).toBe(universe.length);
    const count = (kind: string): number => universe.filter((i) => i.kind === kind).length;
    expect(count('equity')).toBeGreaterThanOrEqual(20);
    expect(count('etf')).toBeGreaterThanOrEqual(8);
    expect(count('crypto')).toBeGreaterThanOrEqual(8);
    expect(count('fx')).toBeGreaterThanOrEqual(6);
    expect(universe.map((i) => i.symbol)).toEqual(expect.arrayContaining(['AAPL', 'SPY', 'BTC-USD', 'EURUSD', 'USDJPY']));
  });

  it('gives plausible prices, tick sizes and volatilities', () => {
    const volRange = { equity: [0.015, 0.04], etf: [0.008, 0.02], crypto: [0.04, 0.06], fx: [0.003, 0.008] } as const;
    for (const i of universe) {
      expect(i.price, i.symbol).toBeGreaterThan(0);
      expect(i.tickSize, i.symbol).toBeCloseTo(10 ** -i.decimals, 12);
      expect(decimalsOf(i.price), i.symbol).toBeLessThanOrEqual(i.decimals);
      expect(i.vol, i.symbol).toBeGreaterThanOrEqual(volRange[i.kind][0]);
      expect(i.vol, i.symbol).toBeLessThanOrEqual(volRange[i.kind][1]);
      expect(i.name.length, i.symbol).toBeGreaterThan(1);
      expect(i.currency, i.symbol).toMatch(/^[A-Z]{3}$/);
    }
    const bySymbol = new Map(universe.map((i) => [i.symbol, i]));
    expect(bySymbol.get('AAPL')).toMatchObject({ kind: 'equity', decimals: 2, tickSize: 0.01, currency: 'USD' });
    expect(bySymbol.get('EURUSD')).toMatchObject({ kind: 'fx', decimals: 5, tickSize: 0.00001 });
    expect(bySymbol.get('USDJPY')).toMatchObject({ kind: 'fx', decimals: 3, currency: 'JPY' });
  });
});

describe('buildUniverse', () => {
  it('gives the first N of the default universe when N is small', () => {
    expect(buildUniverse(10)).toEqual(defaultUniverse().slice(0, 10));
    expect(buildUniverse(0)).toEqual([]);
  });

  it('gives exactly N unique instruments, generated equities after the default ones', () => {
    const defaults = defaultUniverse().length;
    for (const n of [defaults, defaults + 1, 500, 1200]) {
      const u = buildUniverse(n);
      expect(u).toHaveLength(n);
      expect(new Set(u.map((i) => i.symbol)).size).toBe(n);
    }
    const u = buildUniverse(500);
    expect(u[defaults]).toMatchObject({ symbol: `SYM0${defaults}`, kind: 'equity', tickSize: 0.01 });
    for (const i of u.slice(defaults)) {
      expect(i.price).toBeGreaterThanOrEqual(8);
      expect(i.price).toBeLessThanOrEqual(600);
      expect(i.vol).toBeGreaterThanOrEqual(0.015);
      expect(i.vol).toBeLessThanOrEqual(0.04);
    }
  });

  it('is deterministic, and varies with an explicit rng', () => {
    expect(buildUniverse(300)).toEqual(buildUniverse(300));
    expect(buildUniverse(300, new Rng('x'))).not.toEqual(buildUniverse(300));
  });
});

describe('microstructure', () => {
  const [aapl, btc, eurusd, usdjpy] = ['AAPL', 'BTC-USD', 'EURUSD', 'USDJPY'].map(
    (s) => defaultUniverse().find((i) => i.symbol === s)!,
  );

  it('rounds prices to the tick grid as exact decimals, never below one tick', () => {
    const ms = microstructure(aapl);
    expect(ms.price(233.4649)).toBe(233.46);
    expect(ms.price(233.465001)).toBe(233.47);
    expect(ms.price(0.001)).toBe(0.01);
    const fx = microstructure(eurusd);
    expect(fx.price(1.1234567)).toBe(1.12346);
    expect(microstructure(usdjpy).price(152.34567)).toBe(152.346);
    const rng = new Rng(5);
    for (let k = 0; k < 1000; k++) expect(decimalsOf(fx.price(1 + rng.next()))).toBeLessThanOrEqual(5);
  });

  it('quotes bid < ask on the grid, with the rounded mid inside', () => {
    const rng = new Rng(6);
    for (const inst of [aapl, btc, eurusd, usdjpy]) {
      const ms = microstructure(inst);
      for (let k = 0; k < 500; k++) {
        const mid = inst.price * (0.9 + 0.2 * rng.next());
        const q = ms.quote(mid, 0.3 + 3 * rng.next(), rng);
        expect(q.ask - q.bid).toBeGreaterThanOrEqual(inst.tickSize * (1 - 1e-9));
        expect(q.bid).toBeLessThanOrEqual(ms.price(mid));
        expect(q.ask).toBeGreaterThanOrEqual(ms.price(mid));
        expect(q.bidSize).toBeGreaterThan(0);
        expect(q.askSize).toBeGreaterThan(0);
      }
    }
  });

  it('sizes trades in whole lots: shares, fractions of a coin, thousands of FX units', () => {
    const rng = new Rng(7);
    const sizes = (inst: typeof aapl): number[] => Array.from({ length: 200 }, () => microstructure(inst).tradeSize(rng));
    for (const s of sizes(aapl)) expect(Number.isInteger(s) && s >= 1).toBe(true);
    for (const s of sizes(eurusd)) expect(s % 1000 === 0 && s >= 1000).toBe(true);
    const lot = microstructure(btc).lot;
    expect(lot).toBeLessThan(0.001);
    for (const s of sizes(btc)) {
      expect(s).toBeGreaterThanOrEqual(lot);
      expect(decimalsOf(s)).toBeLessThanOrEqual(Math.round(-Math.log10(lot)));
    }
  });
});

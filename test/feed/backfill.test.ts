import { describe, expect, it } from 'vitest';
import type { Candle, Interval } from '../../shared/protocol.js';
import { anchorSec, anchorState, backfill, backfillBars, backfillHead } from '../../server/feed/backfill.js';
import { toHistory } from '../../server/feed/simulator.js';
import { Rng } from '../../server/feed/rng.js';
import { buildUniverse, defaultUniverse } from '../../server/feed/universe.js';
import type { Instrument } from '../../server/feed/tick-source.js';

const END_MS = Date.UTC(2027, 2, 3, 14, 37, 12, 345); // mid-minute, mid-second on purpose
const END_SEC = Math.floor(END_MS / 1000);
const SECONDS: Record<Interval, number> = { '1s': 1, '1m': 60, '5m': 300, '1h': 3600 };
const universe = defaultUniverse();
const bySymbol = (s: string): Instrument => universe.find((i) => i.symbol === s)!;
const historyOf = (inst: Instrument, seed: string | number = 1, endMs = END_MS) =>
  toHistory(backfill(inst, new Rng(seed).fork(inst.symbol), endMs, { tradeRate: 2 }));
const onGrid = (p: number, tick: number): boolean => Math.abs(p / tick - Math.round(p / tick)) < 1e-6;

/** 1m-style aggregation by hand, to check the generator's own. */
function rollUp(bars: Candle[], seconds: number): Candle[] {
  const out: Candle[] = [];
  for (const b of bars) {
    const time = Math.floor(b.time / seconds) * seconds;
    const cur = out.at(-1);
    if (cur?.time === time) {
      Object.assign(cur, { high: Math.max(cur.high, b.high), low: Math.min(cur.low, b.low), close: b.close, volume: cur.volume + b.volume });
    } else out.push({ ...b, time });
  }
  return out;
}

function expectSameBars(actual: Candle[], expected: Candle[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    expect({ ...a, volume: 0 }).toEqual({ ...e, volume: 0 });
    expect(a.volume).toBeCloseTo(e.volume, 6);
  });
}

// Generous timeouts: shared CI machines are slow.
describe('backfill', { timeout: 30_000 }, () => {
  it('gives 24 h of contiguous 1m bars and the last hour of 1s bars, aligned on the epoch', () => {
    const h = historyOf(bySymbol('AAPL'));
    for (const interval of Object.keys(SECONDS) as Interval[]) {
      const bars = h.bars[interval];
      const s = SECONDS[interval];
      bars.forEach((b, i) => {
        expect(b.time % s).toBe(0);
        if (i > 0) expect(b.time - bars[i - 1].time).toBe(s);
      });
      // The last bar is the one containing endMs (partial).
      expect(bars.at(-1)!.time).toBe(Math.floor(END_SEC / s) * s);
    }
    expect(h.bars['1s']).toHaveLength(3600);
    expect(h.bars['1m'].length).toBeGreaterThanOrEqual(1441);
    expect(h.bars['1m'][0].time).toBeLessThanOrEqual(END_SEC - 86_400);
    expect(h.bars['1m'][0].time % 3600).toBe(0); // whole first hour: charts open full
    expect(h.bars['1h'].length).toBe(25);
  });

  it('keeps every bar consistent, positive, on the tick grid, without gaps', () => {
    const bad: string[] = [];
    for (const inst of universe) {
      const h = historyOf(inst, 'grid');
      for (const [interval, bars] of Object.entries(h.bars)) {
        bars.forEach((b, i) => {
          const ok =
            b.low > 0 &&
            b.low <= Math.min(b.open, b.close) &&
            b.high >= Math.max(b.open, b.close) &&
            b.volume >= 0 &&
            [b.open, b.high, b.low, b.close].every((p) => onGrid(p, inst.tickSize)) &&
            (i === 0 || b.open === bars[i - 1].close);
          if (!ok) bad.push(`${inst.symbol} ${interval} #${i} ${JSON.stringify(b)}`);
        });
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('aggregates 5m and 1h from 1m, and the last 1m bars from 1s', () => {
    const h = historyOf(bySymbol('BTC-USD'));
    expectSameBars(h.bars['5m'], rollUp(h.bars['1m'], 300));
    expectSameBars(h.bars['1h'], rollUp(h.bars['1m'], 3600));
    // Minutes wholly inside the 1s hour, plus the partial last one.
    const fromSeconds = rollUp(h.bars['1s'], 60).filter((b) => b.time >= h.bars['1s'][0].time);
    expectSameBars(h.bars['1m'].slice(-fromSeconds.length), fromSeconds);
    expect(fromSeconds.length).toBeGreaterThanOrEqual(60);
  });

  it('reports the session over the 1m bars, and a last price inside the final quote', () => {
    for (const symbol of ['AAPL', 'EURUSD', 'DOGE-USD']) {
      const inst = bySymbol(symbol);
      const h = historyOf(inst);
      const m1 = h.bars['1m'];
      expect(h.session.open).toBe(m1[0].open);
      // The path is anchored at 00:00 UTC on the reference price.
      expect(m1.find((b) => b.time === anchorSec(END_MS))!.open).toBeCloseTo(inst.price, 6);
      expect(h.session.high).toBe(Math.max(...m1.map((b) => b.high)));
      expect(h.session.low).toBe(Math.min(...m1.map((b) => b.low)));
      expect(h.session.volume).toBeCloseTo(m1.reduce((a, b) => a + b.volume, 0), 4);
      expect(h.session.volume).toBeGreaterThan(0);
      expect(h.last).toBe(m1.at(-1)!.close);
      expect(h.last).toBe(h.bars['1s'].at(-1)!.close);
      expect(h.quote.bid).toBeLessThan(h.quote.ask);
      expect(h.quote.bid).toBeLessThanOrEqual(h.last);
      expect(h.quote.ask).toBeGreaterThanOrEqual(h.last);
    }
  });

  it('moves prices by about the instrument volatility over 24 h', () => {
    const z: number[] = [];
    for (const seed of [1, 2, 3]) {
      for (const inst of universe) {
        const m1 = historyOf(inst, seed).bars['1m'];
        z.push(Math.log(m1.at(-1)!.close / m1[0].open) / inst.vol);
      }
    }
    const rms = Math.sqrt(z.reduce((a, x) => a + x * x, 0) / z.length);
    expect(rms).toBeGreaterThan(0.7); // ~1: jumps and vol clustering share the daily variance
    expect(rms).toBeLessThan(1.4);
  });

  it('gives volumes of about trade rate x mean size', () => {
    const inst = bySymbol('AAPL');
    const slow = historyOf(inst, 9);
    const fast = toHistory(backfill(inst, new Rng(9).fork('AAPL'), END_MS, { tradeRate: 20 }));
    expect(fast.session.volume / slow.session.volume).toBeGreaterThan(5);
    expect(fast.session.volume / slow.session.volume).toBeLessThan(20);
    // The price path does not depend on the trade rate.
    expect(fast.bars['1m'].map((b) => b.close)).toEqual(slow.bars['1m'].map((b) => b.close));
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const inst = bySymbol('NVDA');
    expect(historyOf(inst, 'x')).toEqual(historyOf(inst, 'x'));
    expect(historyOf(inst, 'x').bars['1m']).not.toEqual(historyOf(inst, 'y').bars['1m']);
  });

  it('handles an end time on an exact second, the anchor itself (00:00 UTC)', () => {
    const inst = bySymbol('SPY');
    const end = Date.UTC(2027, 0, 1);
    const h = historyOf(inst, 1, end);
    expect(h.bars['1s']).toHaveLength(3600);
    expect(h.bars['1s'].at(-1)!.time).toBe(end / 1000);
    const m1 = h.bars['1m'];
    expect(m1.at(-1)!.time).toBe(end / 1000);
    expect(m1.at(-1)!.open).toBeCloseTo(inst.price, 6); // the minute opening at the anchor
    expect(m1.at(-1)!.close).toBe(h.last);
  });

  it('has a head (the newest bar of each interval, the session, the last price) equal to the full back-fill\'s, bit for bit', () => {
    const ends = [END_MS, Date.UTC(2027, 2, 3, 0, 0, 0, 0), Date.UTC(2027, 2, 3, 23, 59, 59, 999), Date.UTC(2027, 2, 4, 10, 4, 59, 1), Date.UTC(2027, 2, 4, 10, 0, 0, 500)];
    for (const inst of buildUniverse(40).filter((_, i) => i % 3 === 0)) {
      for (const endMs of ends) {
        const rng = new Rng(7).fork(inst.symbol);
        const anchor = anchorState(inst, rng);
        const full = backfillBars(inst, anchor, rng.fork('history'), endMs, { tradeRate: 2 });
        const head = backfillHead(inst, anchor, rng.fork('history'), endMs, { tradeRate: 2 });
        expect(head.session).toEqual(full.session);
        expect(head.last).toBe(full.last);
        for (const iv of Object.keys(SECONDS) as Interval[]) {
          const b = full.bars[iv];
          expect(head.open[iv].count).toBe(1);
          expect(head.open[iv].time0).toBe(b.time0 + (b.count - 1) * b.seconds);
          expect([...head.open[iv].data.subarray(0, 5)]).toEqual([...b.data.subarray((b.count - 1) * 5, b.count * 5)]);
        }
      }
    }
  });

  it('back-fills 500 symbols quickly (printed, not asserted)', () => {
    const all = buildUniverse(500);
    const rng = new Rng('timing');
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (const inst of all) backfill(inst, rng.fork(inst.symbol), END_MS, { tradeRate: 1 });
    const cpu = process.cpuUsage(cpu0);
    console.log(`back-fill of 500 symbols: ${(performance.now() - t0).toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms cpu`);
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { buildLadder, GROUP_STEPS, groupSide, nextGroupStep, type Level } from '../../web/src/lib/book-ladder.js';
import { depthCurve } from '../../web/src/lib/depth-curve.js';

const bids: Level[] = [[100.03, 1], [100.02, 2], [100.01, 3], [99.99, 4], [99.95, 5]];
const asks: Level[] = [[100.05, 1.5], [100.06, 2], [100.1, 1], [100.11, 2], [100.2, 3]];

describe('groupSide', () => {
  it('keeps levels as they are at a step of one tick, with running totals from the best out', () => {
    expect(groupSide(bids, 'bid', 0.01, 1, 2)).toEqual([
      { price: 100.03, size: 1, cum: 1 }, { price: 100.02, size: 2, cum: 3 }, { price: 100.01, size: 3, cum: 6 },
      { price: 99.99, size: 4, cum: 10 }, { price: 99.95, size: 5, cum: 15 },
    ]);
  });

  it('groups bids down and asks up, so a bucket never crosses the spread', () => {
    expect(groupSide(bids, 'bid', 0.01, 5, 2)).toEqual([
      { price: 100, size: 6, cum: 6 }, { price: 99.95, size: 9, cum: 15 },
    ]);
    expect(groupSide(asks, 'ask', 0.01, 5, 2)).toEqual([
      { price: 100.05, size: 1.5, cum: 1.5 }, { price: 100.1, size: 3, cum: 4.5 }, { price: 100.15, size: 2, cum: 6.5 },
      { price: 100.2, size: 3, cum: 9.5 },
    ]);
  });

  it('counts prices in whole ticks, so float noise never moves a level to another bucket', () => {
    // 0.1 + 0.2 = 0.30000000000000004: still the 0.30 level, in the 0.30 bucket of 10 ticks.
    expect(groupSide([[0.1 + 0.2, 1], [0.29, 1]], 'bid', 0.01, 10, 2).map((r) => r.price)).toEqual([0.3, 0.2]);
    expect(groupSide([[1.0000000001, 1]], 'ask', 0.0001, 1, 4)).toEqual([{ price: 1, size: 1, cum: 1 }]);
  });

  it('stops at the row limit and skips empty levels', () => {
    expect(groupSide([[10, 0], ...bids], 'bid', 0.01, 1, 2, 2).map((r) => r.price)).toEqual([100.03, 100.02]);
  });
});

describe('buildLadder', () => {
  it('gives the spread from the ungrouped touch and the widest cumulative size for the bars', () => {
    const l = buildLadder({ bids, asks }, 0.01, 1, 2, 3);
    expect(l.bids.map((r) => r.price)).toEqual([100.03, 100.02, 100.01]);
    expect(l.asks.map((r) => r.price)).toEqual([100.05, 100.06, 100.1]);
    expect(l.spread).toBe(0.02);
    expect(l.spreadBps).toBeCloseTo((0.02 / 100.04) * 10_000, 6);
    expect(l.maxCum).toBe(6); // bids 1+2+3 against asks 1.5+2+1
  });

  it('has no spread with an empty side', () => {
    const l = buildLadder({ bids, asks: [] }, 0.01, 1, 2, 10);
    expect(l.spread).toBeNaN();
    expect(l.asks).toEqual([]);
    expect(l.maxCum).toBe(15);
  });
});

describe('nextGroupStep', () => {
  it('cycles through every step and wraps around', () => {
    let s = 1;
    const seen = [s];
    for (let i = 1; i < GROUP_STEPS.length; i++) seen.push((s = nextGroupStep(s)));
    expect(seen).toEqual([...GROUP_STEPS]);
    expect(nextGroupStep(s)).toBe(1);
    expect(nextGroupStep(7)).toBe(1); // an unknown step starts over
  });
});

describe('depthCurve', () => {
  it('centres the mid, steps up at each level and shares one scale for both sides', () => {
    const c = depthCurve({ bids: [[99, 1], [98, 3]], asks: [[101, 2], [102, 2]] }, 200, 100)!;
    expect(c.midX).toBe(100);
    expect([c.minPrice, c.maxPrice]).toEqual([98, 102]);
    expect(c.maxCum).toBe(4);
    // From the mid down to the floor, up at 99 (size 1), up at 98 (total 4: the top), to the left edge.
    expect(c.bids).toEqual([[100, 100], [50, 100], [50, 75], [0, 75], [0, 0], [0, 0]]);
    expect(c.asks).toEqual([[100, 100], [150, 100], [150, 50], [200, 50], [200, 0], [200, 0]]);
  });

  it('is undefined for an empty side or an empty plot', () => {
    expect(depthCurve({ bids: [], asks: [[1, 1]] }, 100, 100)).toBeUndefined();
    expect(depthCurve({ bids: [[1, 1]], asks: [[2, 1]] }, 0, 100)).toBeUndefined();
  });
});

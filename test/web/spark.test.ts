import { describe, expect, it } from 'vitest';
import type { Candle } from '../../shared/protocol.js';
import { sparkPath } from '../../web/src/lib/spark-path.js';
import { SparkSeries } from '../../web/src/lib/spark-series.js';

const bar = (time: number, close: number): Candle => ({ time, open: close, high: close, low: close, close, volume: 1 });

describe('SparkSeries', () => {
  it('takes one close per 5-minute bucket from history', () => {
    const s = new SparkSeries(300, 10);
    s.load([bar(0, 1), bar(300, 2), bar(600, 3)]);
    expect(s.values()).toEqual([1, 2, 3]);
  });

  it('moves the current bucket with live prices and opens a new bucket when time passes', () => {
    const s = new SparkSeries(300, 10);
    s.load([bar(0, 1), bar(300, 2)]);
    expect(s.push(310_000, 2.5)).toBe(true); // still the 300 s bucket
    expect(s.values()).toEqual([1, 2.5]);
    expect(s.push(310_500, 2.5)).toBe(false); // no change
    expect(s.push(600_000, 4)).toBe(true);
    expect(s.values()).toEqual([1, 2.5, 4]);
    expect(s.push(100_000, 9)).toBe(false); // older than the last bucket
  });

  it('keeps live points newer than history loaded late', () => {
    const s = new SparkSeries(300, 10);
    s.push(900_000, 7);
    s.load([bar(0, 1), bar(300, 2), bar(600, 3)]);
    expect(s.values()).toEqual([1, 2, 3, 7]);
  });

  it('stays bounded', () => {
    const s = new SparkSeries(1, 5);
    for (let i = 0; i < 20; i++) s.push(i * 1000, i);
    expect(s.values()).toEqual([15, 16, 17, 18, 19]);
  });
});

describe('sparkPath', () => {
  it('spans the width and keeps the values inside the height', () => {
    const p = sparkPath([1, 3, 2], 100, 20);
    const pts = [...p.line.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(pts.map(([x]) => x)).toEqual([0, 50, 100]);
    for (const [, y] of pts) expect(y).toBeGreaterThan(0), expect(y).toBeLessThan(20);
    expect(pts[1][1]).toBeLessThan(pts[0][1]); // higher value, smaller y
    expect(p.area.endsWith('Z')).toBe(true);
  });

  it('snaps y to a quarter unit: a move too small to see leaves the path unchanged', () => {
    const a = sparkPath([100, 110, 105], 100, 20);
    const b = sparkPath([100, 110, 105.01], 100, 20);
    expect(b.line).toBe(a.line);
    const c = sparkPath([100, 110, 106], 100, 20);
    expect(c.line).not.toBe(a.line);
    for (const [, y] of a.line.matchAll(/[ML][\d.]+ ([\d.]+)/g)) expect((Number(y) * 4) % 1).toBe(0);
  });

  it('places a baseline inside the box, and draws nothing without values', () => {
    const p = sparkPath([10, 11], 100, 20, 5);
    expect(p.baselineY).toBeGreaterThan(15);
    expect(sparkPath([], 100, 20)).toEqual({ line: '', area: '' });
    expect(sparkPath([NaN], 100, 20).line).toBe('');
  });
});

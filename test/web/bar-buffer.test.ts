import { describe, expect, it } from 'vitest';
import type { Candle } from '../../shared/protocol.js';
import { BarBuffer } from '../../web/src/lib/bar-buffer.js';

const bar = (time: number, close = 100): Candle => ({ time, open: 100, high: Math.max(100, close), low: Math.min(100, close), close, volume: 1 });

describe('BarBuffer', () => {
  it('loads history sorted, one bar per time, newest cap', () => {
    const b = new BarBuffer(3);
    const out = b.load([bar(5), bar(1), bar(3), bar(3, 101), bar(4), bar(2)]);
    expect(out.map((x) => x.time)).toEqual([3, 4, 5]);
    expect(out.find((x) => x.time === 3)!.close).toBe(101);
  });

  it('replaces the last bar when the time is the same and appends a newer one', () => {
    const b = new BarBuffer(10);
    b.load([bar(60), bar(120)]);
    expect(b.apply(bar(120, 105))).toBe('update');
    expect(b.last!.close).toBe(105);
    expect(b.apply(bar(180))).toBe('append');
    expect(b.bars.length).toBe(3);
  });

  it('ignores a bar older than the last, and invalid bars', () => {
    const b = new BarBuffer(10);
    b.load([bar(60), bar(120)]);
    expect(b.apply(bar(60, 1))).toBe('ignore');
    expect(b.apply({ ...bar(0) })).toBe('ignore'); // an empty stream's placeholder bar
    expect(b.apply({ ...bar(180), close: NaN })).toBe('ignore');
    expect(b.bars.map((x) => x.close)).toEqual([100, 100]);
  });

  it('stays bounded on a long session, trimming once per slack bars', () => {
    const b = new BarBuffer(100, 20);
    let resets = 0;
    for (let t = 1; t <= 1000; t++) if (b.apply(bar(t)) === 'reset') resets++;
    expect(b.bars.length).toBeLessThanOrEqual(120);
    expect(b.last!.time).toBe(1000);
    // Trims at 121 bars back to 100, so first at t = 121, then every 21 bars.
    expect(resets).toBe(Math.floor((1000 - 121) / 21) + 1);
  });

  it('keeps its own copies of bars', () => {
    const b = new BarBuffer(10);
    const live = bar(60);
    b.apply(live);
    live.close = 999;
    expect(b.last!.close).toBe(100);
  });
});

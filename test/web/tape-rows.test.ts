import { describe, expect, it } from 'vitest';
import type { Trade } from '../../shared/protocol.js';
import { TapeRows } from '../../web/src/lib/tape-rows.js';

const trade = (id: number): Trade => ({ id, price: 100 + id, size: 1, side: id % 2 ? 'buy' : 'sell', ts: id * 1000 });
const ids = (t: TapeRows) => t.rows.map((r) => (r.missed ? `missed after ${r.id}` : r.id));

describe('TapeRows', () => {
  it('shows trades newest first, skips those already shown, keeps at most cap rows', () => {
    const t = new TapeRows(4);
    t.replace([1, 2, 3].map(trade));
    expect(t.push([2, 3].map(trade))).toBe(false);
    expect(t.push([3, 4, 5].map(trade))).toBe(true);
    expect(ids(t)).toEqual([5, 4, 3, 2]);
  });

  it('has no marker when nothing was missed', () => {
    const t = new TapeRows(10);
    t.replace([1, 2].map(trade));
    t.push([3].map(trade));
    expect(t.rows.some((r) => r.missed)).toBe(false);
  });

  it('puts a marker between the trades before a hole and those after it, whatever comes next', () => {
    const t = new TapeRows(10);
    t.replace([1, 2, 3].map(trade));
    t.markMissed();
    expect(ids(t)).toEqual([3, 2, 1]); // placed with the next trades
    t.replace([2, 3, 9, 10].map(trade)); // the snapshot after the reconnect
    expect(ids(t)).toEqual([10, 9, 'missed after 3', 3, 2, 1]);
    t.push([11].map(trade));
    expect(ids(t)).toEqual([11, 10, 9, 'missed after 3', 3, 2, 1]);
  });

  it('places a hole reported before new trades arrive by push', () => {
    const t = new TapeRows(10);
    t.replace([1, 2].map(trade));
    t.markMissed();
    t.markMissed(); // one hole, one marker
    t.push([7, 8].map(trade));
    expect(ids(t)).toEqual([8, 7, 'missed after 2', 2, 1]);
  });

  it('drops trades of an old numbering when the stream started over (a new epoch)', () => {
    const t = new TapeRows(10);
    t.replace([50, 51].map(trade));
    t.markMissed();
    t.replace([1, 2].map(trade));
    expect(ids(t)).toEqual([2, 1, 'missed after -Infinity']);
    t.push([3].map(trade));
    expect(ids(t)).toEqual([3, 2, 1, 'missed after -Infinity']);
  });

  it('forgets the hole and the rows on clear', () => {
    const t = new TapeRows(10);
    t.replace([1].map(trade));
    t.markMissed();
    t.clear();
    t.replace([5].map(trade));
    expect(ids(t)).toEqual([5]);
  });
});

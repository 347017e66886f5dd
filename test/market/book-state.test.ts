import { describe, expect, it } from 'vitest';
import { bookChecksum } from '../../shared/book-checksum.js';
import type { BookData, BookDelta, BookLevel } from '../../shared/protocol.js';
import { BookState } from '../../server/market/book-state.js';
import { bookFromFields, bookToFields, isBookTombstone } from '../../server/market/book-fields.js';

const init = () => ({
  decimals: 3,
  sizeDecimals: 0,
  bids: [[100, 5], [99.99, 6], [99.98, 7], [99.97, 8], [99.96, 9]] as [number, number][],
  asks: [[100.01, 5], [100.02, 6], [100.03, 7], [100.04, 8]] as [number, number][],
});

/** What a client does: apply every pair, drop the zeros, sort, keep the top `depth`. */
function applyDelta(book: BookData, d: BookDelta, depth: number): BookData {
  const side = (cur: BookLevel[], pairs: BookLevel[] | undefined, desc: boolean): BookLevel[] => {
    const m = new Map(cur.map(([p, q]) => [p, q]));
    for (const [p, q] of pairs ?? []) m.set(p, q);
    return [...m].filter(([, q]) => q > 0).sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0])).slice(0, depth) as BookLevel[];
  };
  return { bids: side(book.bids, d.bids, true), asks: side(book.asks, d.asks, false), checksum: d.checksum, ts: d.ts };
}

describe('BookState', () => {
  it('publishes the top-depth window and its checksum', () => {
    const b = new BookState(init(), 3, 7);
    const snap = b.snapshot();
    expect(snap.bids).toEqual([[100, 5], [99.99, 6], [99.98, 7]]);
    expect(snap.asks).toEqual([[100.01, 5], [100.02, 6], [100.03, 7]]);
    expect(snap.checksum).toBe(bookChecksum(snap, 3, 0));
    expect(snap.ts).toBe(7);
  });

  it('sends a level leaving the window as 0 and the one entering with its size', () => {
    const b = new BookState(init(), 3);
    // The best bid goes: 99.97 enters at the bottom of the window.
    expect(b.apply({ bids: [[100, 0]], asks: [] }, 1)).toMatchObject({ bids: [[100, 0], [99.97, 8]] });
    // A new best ask pushes 100.03 out.
    const d = b.apply({ bids: [], asks: [[100.005, 3]] }, 2)!;
    expect(d.asks).toEqual([[100.005, 3], [100.03, 0]]);
    expect(d.bids).toBeUndefined();
    expect(d.checksum).toBe(bookChecksum(b.snapshot(), 3, 0));
    // A size change inside the window is just that pair.
    expect(b.apply({ bids: [[99.98, 70]], asks: [] }, 3)).toMatchObject({ bids: [[99.98, 70]] });
  });

  it('sends nothing when only levels beyond the window changed', () => {
    const b = new BookState(init(), 3);
    expect(b.apply({ bids: [[99.96, 90], [99.5, 1]], asks: [[100.04, 0]] }, 1)).toBeUndefined();
    // ... but they are kept: when the window empties down to them, they enter it.
    const d = b.apply({ bids: [[100, 0], [99.99, 0], [99.98, 0]], asks: [] }, 2)!;
    expect(d.bids).toEqual([[100, 0], [99.99, 0], [99.98, 0], [99.97, 8], [99.96, 90], [99.5, 1]]);
  });

  it('keeps a client book exact through random changes: apply, sort, equal, same checksum', () => {
    const b = new BookState(init(), 4);
    let client = b.snapshot();
    let seed = 1;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let k = 0; k < 5000; k++) {
      const bids: [number, number][] = [];
      const asks: [number, number][] = [];
      for (let n = 1 + Math.floor(rnd() * 4); n > 0; n--) {
        const bid = rnd() < 0.5;
        const ticks = Math.floor(rnd() * 12); // 12 price levels per side, some outside the window
        const price = bid ? (10000 - ticks) / 100 : (10001 + ticks) / 100;
        (bid ? bids : asks).push([price, rnd() < 0.3 ? 0 : 1 + Math.floor(rnd() * 50)]);
      }
      const d = b.apply({ bids, asks }, k);
      if (!d) continue;
      for (const [, q] of [...(d.bids ?? []), ...(d.asks ?? [])]) expect(q).toBeGreaterThanOrEqual(0);
      client = applyDelta(client, d, 4);
      expect(client).toEqual(b.snapshot());
      expect(bookChecksum(client, 3, 0)).toBe(d.checksum);
    }
  });
});

describe('book fields', () => {
  it('maps levels to b:/a: keys and back, snapshots without zeros, deltas with them', () => {
    const d: BookDelta = { bids: [[99.99, 0], [99.98, 4]], asks: [[100.01, 2]], checksum: 42, ts: 9 };
    const f = bookToFields(d);
    expect(f).toEqual([['b:99.99', 0], ['b:99.98', 4], ['a:100.01', 2], ['checksum', 42], ['ts', 9]]);
    expect(bookFromFields(f, 'delta')).toEqual(d);
    expect(bookFromFields(f, 'snapshot')).toEqual({ bids: [[99.98, 4]], asks: [[100.01, 2]], checksum: 42, ts: 9 });
    expect(bookFromFields([['checksum', 1], ['ts', 2]], 'delta')).toEqual({ checksum: 1, ts: 2 });
    expect(isBookTombstone('b:99.99', 0)).toBe(true);
    expect(isBookTombstone('b:99.99', 3)).toBe(false);
    expect(isBookTombstone('checksum', 0)).toBe(false);
  });

  it('sorts each side best first whatever the field order', () => {
    const d = bookFromFields([['a:3', 1], ['b:1', 1], ['a:2', 1], ['b:1.5', 1], ['ts', 0], ['checksum', 0]], 'snapshot') as BookData;
    expect(d.bids.map((l) => l[0])).toEqual([1.5, 1]);
    expect(d.asks.map((l) => l[0])).toEqual([2, 3]);
  });

  it('round-trips every price exactly through its key', () => {
    for (const p of [0.00001, 1.16251, 104500.01, 0.1 + 0.2, 1e-7, 123456789.12]) {
      expect((bookFromFields([[`b:${p}`, 1]], 'snapshot') as BookData).bids[0]![0]).toBe(p);
    }
  });
});

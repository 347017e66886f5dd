/** shared/book.ts (pure): books kept from snapshot + level pairs, sorted, depth-bounded, checksum-verified; the worked vectors checked independently. */
import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyBookUpdate, bookFromSnapshot, verifyBook, type BookState } from '../../shared/book.js';
import { bookChecksum } from '../../shared/book-checksum.js';

/** The spec's string, built here from the spec's words (not from book-checksum.ts). */
function specString(book: { bids: [number, number][]; asks: [number, number][] }, dec: number, sizeDec: number): string {
  const part = (x: number, d: number) => x.toFixed(d).replace('.', '').replace(/^0+/, '');
  return [...book.asks.slice(0, 10), ...book.bids.slice(0, 10)].map(([p, s]) => part(p, dec) + part(s, sizeDec)).join('');
}

const vector2 = { asks: [[50000.5, 0.15], [50001, 1], [50002.25, 0.0025]], bids: [[50000, 0.5], [49999.75, 2.1], [49998, 10]] } as { bids: [number, number][]; asks: [number, number][] };

describe('the worked checksum vectors (docs/book.md), checked against zlib', () => {
  it('vector 1: price 0.05000 and size 0.00000304 give "5000304", CRC32 3935865742', () => {
    const book = { bids: [] as [number, number][], asks: [[0.05, 0.00000304]] as [number, number][] };
    expect(specString(book, 5, 8)).toBe('5000304');
    expect(zlibCrc32('5000304')).toBe(3935865742);
    expect(bookChecksum(book, 5, 8)).toBe(3935865742);
  });

  it('vector 2: the small book gives its string and CRC32 2423825216', () => {
    const s = specString(vector2, 2, 4);
    expect(s).toBe('50000501500500010010000500022525500000050004999975210004999800100000');
    expect(zlibCrc32(s)).toBe(2423825216);
    expect(bookChecksum(vector2, 2, 4)).toBe(2423825216);
    expect(verifyBook({ ...vector2, checksum: 2423825216, ts: 1 }, 2, 4)).toBe(true);
    expect(verifyBook({ ...vector2, checksum: 2423825217, ts: 1 }, 2, 4)).toBe(false);
  });
});

describe('bookFromSnapshot', () => {
  it('sorts each side best first, drops empty and malformed levels, bounds the depth', () => {
    const b = bookFromSnapshot(
      { bids: [[99, 1], [101, 2], [100, 0], ['x', 1], [98]], asks: [[104, 1], [102, 3], [103, 2]], checksum: 7, ts: 5 },
      2,
    );
    expect(b).toEqual({ bids: [[101, 2], [99, 1]], asks: [[102, 3], [103, 2]], checksum: 7, ts: 5 });
  });

  it('takes a missing or odd d as an empty book', () => {
    expect(bookFromSnapshot(undefined)).toEqual({ bids: [], asks: [], checksum: -1, ts: 0 });
    expect(bookFromSnapshot({ bids: 'no', asks: null })).toMatchObject({ bids: [], asks: [] });
  });
});

describe('applyBookUpdate', () => {
  const base: BookState = { bids: [[100, 1], [99, 2], [98, 3]], asks: [[101, 1], [102, 2], [103, 3]], checksum: 1, ts: 1 };

  it('sets sizes, removes 0-size levels, adds new levels in order, and takes the checksum and ts', () => {
    const b = applyBookUpdate(base, { bids: [[99, 0], [100, 5], [99.5, 4]], asks: [[100.5, 1]], checksum: 9, ts: 2 });
    expect(b).toEqual({ bids: [[100, 5], [99.5, 4], [98, 3]], asks: [[100.5, 1], [101, 1], [102, 2], [103, 3]], checksum: 9, ts: 2 });
  });

  it('leaves a side untouched when the update does not name it, and never mutates its input', () => {
    const copy = structuredClone(base);
    const b = applyBookUpdate(base, { asks: [[101, 0]], checksum: 3, ts: 3 });
    expect(b.bids).toBe(base.bids);
    expect(b.asks).toEqual([[102, 2], [103, 3]]);
    expect(base).toEqual(copy);
  });

  it('bounds each side to the depth after sorting (a level leaving the window)', () => {
    const b = applyBookUpdate(base, { bids: [[100.5, 1]], checksum: 0, ts: 0 }, 3);
    expect(b.bids).toEqual([[100.5, 1], [100, 1], [99, 2]]);
  });

  it('agrees with a plain price → size model over random level changes, and the checksum follows', () => {
    const price = fc.integer({ min: 1, max: 60 }).map((i) => i * 0.25);
    const size = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999 }).map((i) => i / 100));
    const pairs = fc.array(fc.tuple(price, size), { maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.tuple(pairs, pairs), { maxLength: 30 }), (steps) => {
        const model = { bids: new Map<number, number>(), asks: new Map<number, number>() };
        let book = bookFromSnapshot({ bids: [], asks: [], checksum: 0, ts: 0 });
        for (const [bids, asks] of steps) {
          for (const [p, s] of bids) model.bids.set(p, s);
          for (const [p, s] of asks) model.asks.set(p, s);
          const want = {
            bids: [...model.bids].filter(([, s]) => s > 0).sort((a, b) => b[0] - a[0]),
            asks: [...model.asks].filter(([, s]) => s > 0).sort((a, b) => a[0] - b[0]),
          };
          book = applyBookUpdate(book, { bids, asks, checksum: bookChecksum(want, 2, 2), ts: 0 });
          expect({ bids: book.bids, asks: book.asks }).toEqual(want);
          expect(verifyBook(book, 2, 2)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });
});

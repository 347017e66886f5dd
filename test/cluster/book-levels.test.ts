/** The cluster's pure book arithmetic: the gateway mirror's delta apply, the restart's restore check and handover. */
import { describe, expect, it } from 'vitest';
import { bookChecksum } from '../../shared/book-checksum.js';
import type { BookData } from '../../shared/protocol.js';
import { applyBookDelta, bookTransition, copyBook, restorableBook } from '../../server/cluster/book-levels.js';

const F = { decimals: 2, sizeDecimals: 4 };
const book = (bids: [number, number][], asks: [number, number][]): BookData => ({ bids, asks, checksum: bookChecksum({ bids, asks }, F.decimals, F.sizeDecimals), ts: 5 });

/** Applies changes the way protocol 1.1 section 3 says: each pair sets its price, 0 removes, then sort. */
function applied(b: { bids: [number, number][]; asks: [number, number][] }, c: { bids: [number, number][]; asks: [number, number][] }) {
  const side = (cur: [number, number][], pairs: [number, number][], desc: boolean) => {
    const m = new Map(cur);
    for (const [p, q] of pairs) m.set(p, q);
    return [...m].filter(([, q]) => q > 0).sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0]));
  };
  return { bids: side(b.bids, c.bids, true), asks: side(b.asks, c.asks, false) };
}

describe('applyBookDelta', () => {
  it('sets, adds and removes levels in place, keeping both sides sorted best first, and takes checksum and ts', () => {
    const b = book([[100, 1], [99, 2], [97, 3]], [[101, 1], [103, 2]]);
    const before = copyBook(b);
    applyBookDelta(b, { bids: [[100, 0], [98, 5], [99, 2.5], [96, 0]], asks: [[102, 4], [104, 1]], checksum: 7, ts: 9 });
    expect(b).toEqual({ bids: [[99, 2.5], [98, 5], [97, 3]], asks: [[101, 1], [102, 4], [103, 2], [104, 1]], checksum: 7, ts: 9 });
    expect(before.bids).toEqual([[100, 1], [99, 2], [97, 3]]); // a copy made earlier keeps its levels
  });

  it('leaves a side without pairs as it is', () => {
    const b = book([[100, 1]], [[101, 1]]);
    applyBookDelta(b, { asks: [[101, 0], [102, 2]], checksum: 1, ts: 2 });
    expect(b.bids).toEqual([[100, 1]]);
    expect(b.asks).toEqual([[102, 2]]);
  });
});

describe('restorableBook', () => {
  const ok = book([[100, 1], [99.5, 2]], [[100.25, 0.5], [101, 3]]);
  it('gives back a well-formed stored book with its formats, checksum and ts', () => {
    expect(restorableBook(ok, F, 20)).toEqual({ ...ok, ...F });
  });
  it('refuses what a client could not be chained on from', () => {
    expect(restorableBook(undefined, F, 20)).toBeUndefined();
    expect(restorableBook({ ...ok, checksum: ok.checksum + 1 }, F, 20)).toBeUndefined(); // not what its levels give
    expect(restorableBook(ok, { decimals: 3, sizeDecimals: 4 }, 20)).toBeUndefined(); // the formats changed
    expect(restorableBook(ok, F, 1)).toBeUndefined(); // a lower depth: levels beyond it would never leave
    expect(restorableBook(book([[99, 1], [100, 1]], [[101, 1]]), F, 20)).toBeUndefined(); // unsorted
    expect(restorableBook(book([[102, 1]], [[101, 1]]), F, 20)).toBeUndefined(); // crossed
    expect(restorableBook(book([[100, 0]], [[101, 1]]), F, 20)).toBeUndefined(); // a size 0
    expect(restorableBook({ bids: ok.bids, asks: ok.asks, checksum: ok.checksum }, F, 20)).toBeUndefined(); // no ts
  });
  it('takes an empty or one-sided book', () => {
    expect(restorableBook(book([], []), F, 20)?.bids).toEqual([]);
    expect(restorableBook(book([[1, 1]], []), F, 20)?.asks).toEqual([]);
  });
});

describe('bookTransition', () => {
  it('gives the changes that turn one book into the other: gone as 0, resized, new', () => {
    const from = { bids: [[100, 1], [99, 2], [98, 1]] as [number, number][], asks: [[101, 1], [102, 2]] as [number, number][] };
    const to = { bids: [[99, 3], [98, 1], [97, 4]] as [number, number][], asks: [[103, 1]] as [number, number][] };
    const t = bookTransition(from, to);
    expect(t).toEqual({ bids: [[100, 0], [99, 3], [97, 4]], asks: [[101, 0], [102, 0], [103, 1]] });
    expect(applied(from, t)).toEqual(to);
  });
  it('is empty between equal books, and removes everything towards an empty one', () => {
    const b = { bids: [[100, 1]] as [number, number][], asks: [[101, 1]] as [number, number][] };
    expect(bookTransition(b, b)).toEqual({ bids: [], asks: [] });
    expect(bookTransition(b, { bids: [], asks: [] })).toEqual({ bids: [[100, 0]], asks: [[101, 0]] });
  });
});

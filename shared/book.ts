/**
 * Client-side order book keeping (pure), protocol v1.1 section 3: a `book` snapshot's `d`
 * replaces the book; an update's `d` holds `[price, size]` pairs (size 0: the level is gone)
 * applied one by one, then both sides are sorted best first and bounded to the depth. The
 * result must equal the server's book at that seq, which `verifyBook` proves by the checksum.
 * Books are never mutated: every call returns new arrays, so a UI can compare by reference.
 */
import { bookChecksum } from './book-checksum.js';
import type { BookData, BookLevel } from './protocol.js';

type Level = BookLevel;

/** The `book` channel's state: bids highest first, asks lowest first, the server's `checksum` of it and its source time `ts`. */
export type BookState = BookData;

const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** The well-formed `[price, size]` pairs of a side as sent; anything else is skipped. */
function pairs(side: unknown): Level[] {
  if (!Array.isArray(side)) return [];
  const out: Level[] = [];
  for (const p of side) if (Array.isArray(p) && num(p[0]) && num(p[1])) out.push([p[0], p[1]]);
  return out;
}

/** Levels of one side from a price → size map: size > 0, best first, at most `depth` (0: all). */
function sorted(levels: Map<number, number>, bids: boolean, depth: number): Level[] {
  const out: Level[] = [];
  for (const [price, size] of levels) if (size > 0) out.push([price, size]);
  out.sort(bids ? (a, b) => b[0] - a[0] : (a, b) => a[0] - b[0]);
  return depth > 0 && out.length > depth ? out.slice(0, depth) : out;
}

const field = (d: unknown, k: string): unknown => (typeof d === 'object' && d !== null ? (d as Record<string, unknown>)[k] : undefined);

/**
 * The book a snapshot's `d` holds, sorted best first and bounded to `depth` levels per side
 * (`hello.book.depth`; 0 or absent: no bound). Prices are matched exactly: the server puts
 * every price on the tick grid, so one price always arrives as the same number.
 */
export function bookFromSnapshot(d: unknown, depth = 0): BookState {
  const side = (k: string) => new Map(pairs(field(d, k)));
  return {
    bids: sorted(side('bids'), true, depth),
    asks: sorted(side('asks'), false, depth),
    checksum: num(field(d, 'checksum')) ? (field(d, 'checksum') as number) : -1,
    ts: num(field(d, 'ts')) ? (field(d, 'ts') as number) : 0,
  };
}

/** `book` with an update's `d` applied: each pair sets its price's size (0 removes it); `checksum` and `ts` are the update's. */
export function applyBookUpdate(book: BookState, d: unknown, depth = 0): BookState {
  const apply = (levels: Level[], k: string) => {
    const m = new Map(levels);
    for (const [price, size] of pairs(field(d, k))) m.set(price, size);
    return m;
  };
  const checksum = field(d, 'checksum');
  const ts = field(d, 'ts');
  return {
    bids: field(d, 'bids') === undefined ? book.bids : sorted(apply(book.bids, 'bids'), true, depth),
    asks: field(d, 'asks') === undefined ? book.asks : sorted(apply(book.asks, 'asks'), false, depth),
    checksum: num(checksum) ? checksum : book.checksum,
    ts: num(ts) ? ts : book.ts,
  };
}

/** True when the book's levels give its `checksum` (with the symbol's `decimals` and `sizeDecimals`). */
export function verifyBook(book: BookState, decimals: number, sizeDecimals: number): boolean {
  return bookChecksum(book, decimals, sizeDecimals) === book.checksum;
}

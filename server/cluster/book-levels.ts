/**
 * Order-book arithmetic the cluster needs beside the market state (pure, no I/O):
 * - a gateway's mirror keeps each `book` state from its events (`applyBookDelta`);
 * - a restarted feed checks that the book Redis kept is one it can continue (`restorableBook`)
 *   and computes the one change that takes it to the simulator's book (`bookTransition`).
 */
import { bookChecksum } from '../../shared/book-checksum.js';
import type { BookData, BookDelta, BookLevel } from '../../shared/protocol.js';
import type { BookInit, BookLevels } from '../feed/tick-source.js';

/** Index of `price` in a side sorted best first, or -(insertion point) - 1. */
function find(side: readonly BookLevel[], price: number, desc: boolean): number {
  let lo = 0;
  let hi = side.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = side[mid]![0];
    if (p === price) return mid;
    if (desc ? p > price : p < price) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

function applySide(side: BookLevel[], pairs: readonly BookLevel[], desc: boolean): void {
  for (const [price, size] of pairs) {
    const i = find(side, price, desc);
    if (i >= 0) {
      if (size === 0) side.splice(i, 1);
      else side[i] = [price, size]; // a new pair: copies handed out earlier keep theirs
    } else if (size !== 0) side.splice(-i - 1, 0, [price, size]);
  }
}

/**
 * Applies an update's `d` to `book` in place, as protocol 1.1 section 3 says (each pair sets
 * its price's size, 0 removes it; sides stay sorted best first), and takes its checksum and ts.
 * The feed's deltas are exact for the window, so no trimming is needed.
 */
export function applyBookDelta(book: BookData, d: BookDelta): void {
  if (d.bids) applySide(book.bids, d.bids, true);
  if (d.asks) applySide(book.asks, d.asks, false);
  if (typeof d.checksum === 'number') book.checksum = d.checksum;
  if (typeof d.ts === 'number') book.ts = d.ts;
}

/** A copy of a book state whose level arrays and pairs the caller may change. */
export const copyBook = (b: BookData): BookData => ({ ...b, bids: b.bids.map(([p, q]) => [p, q]), asks: b.asks.map(([p, q]) => [p, q]) });

const isLevel = (l: unknown): l is BookLevel => Array.isArray(l) && l.length === 2 && l.every((x) => typeof x === 'number' && Number.isFinite(x)) && l[1] > 0;

function sortedSide(side: unknown, desc: boolean, depth: number): side is BookLevel[] {
  if (!Array.isArray(side) || side.length > depth || !side.every(isLevel)) return false;
  for (let i = 1; i < side.length; i++) if (desc ? !(side[i - 1][0] > side[i][0]) : !(side[i - 1][0] < side[i][0])) return false;
  return true;
}

/**
 * The stored `book` state as a starting book for the market state, or undefined when a feed
 * cannot continue its stream: not a book, unsorted or crossed, a side longer than `depth` (a
 * lower BOOK_DEPTH: the levels beyond it would never be sent as leaving), or a checksum that
 * this run's number formats do not give (the symbol's decimals changed). Clients hold exactly
 * the stored state, so only a state that passes all of that can be chained on.
 */
export function restorableBook(stored: unknown, formats: { decimals: number; sizeDecimals: number }, depth: number): (BookInit & { checksum: number; ts: number }) | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { bids, asks, checksum, ts } = stored as Partial<BookData>;
  if (!sortedSide(bids, true, depth) || !sortedSide(asks, false, depth)) return undefined;
  if (bids.length && asks.length && !(bids[0]![0] < asks[0]![0])) return undefined;
  if (typeof checksum !== 'number' || typeof ts !== 'number') return undefined;
  if (bookChecksum({ bids, asks }, formats.decimals, formats.sizeDecimals) !== checksum) return undefined;
  return { bids: bids.map(([p, q]) => [p, q]), asks: asks.map(([p, q]) => [p, q]), checksum, ts, ...formats };
}

function sideTransition(from: readonly (readonly [number, number])[], to: readonly (readonly [number, number])[]): [number, number][] {
  const target = new Map(to.map(([p, q]) => [p, q] as const));
  const out: [number, number][] = [];
  for (const [p, q] of from) if (target.get(p) !== q) out.push([p, target.get(p) ?? 0]);
  const had = new Set(from.map(([p]) => p));
  for (const [p, q] of to) if (!had.has(p)) out.push([p, q]);
  return out;
}

/**
 * The level changes ([price, size], 0: gone) that turn book `from` into book `to`: each level
 * of `from` that `to` lacks or sizes differently, and each level of `to` that `from` lacks.
 * Applied to `from` they give exactly `to`.
 */
export function bookTransition(from: BookLevels, to: BookLevels): BookLevels {
  return { bids: sideTransition(from.bids, to.bids), asks: sideTransition(from.asks, to.asks) };
}

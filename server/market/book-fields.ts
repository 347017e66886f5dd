/**
 * The `book` channel as flat numeric fields (conflation by field from any `prev`): one field per
 * price level, `b:<price>` / `a:<price>` holding its size (0: the level is gone, a tombstone),
 * plus `checksum` and `ts`. The reference form: the records' and the history's book store
 * (history/fields.ts) keeps levels in sorted arrays and means the same. Pure.
 *
 * The price in a key is JavaScript's shortest round-trip form (`String(price)`): it needs no
 * per-symbol decimals, and `Number(key.slice(2))` gives back the exact same double.
 */
import type { BookData, BookDelta, BookLevel } from '../../shared/protocol.js';

/** A record field: key and value. */
export type BookField = [key: string, value: number];

export const bidKey = (price: number): string => `b:${price}`;
export const askKey = (price: number): string => `a:${price}`;

/** The fields a book snapshot's or delta's `d` sets, levels first, then checksum and ts. */
export function bookToFields(d: Partial<BookData> | BookDelta): BookField[] {
  const out: BookField[] = [];
  if (Array.isArray(d.bids)) for (const [p, q] of d.bids) out.push([bidKey(p), q]);
  if (Array.isArray(d.asks)) for (const [p, q] of d.asks) out.push([askKey(p), q]);
  if (typeof d.checksum === 'number') out.push(['checksum', d.checksum]);
  if (typeof d.ts === 'number') out.push(['ts', d.ts]);
  return out;
}

/**
 * The `d` for these fields. 'snapshot': the whole state, levels with size > 0 only, both sides
 * present. 'delta': the changed levels including 0s, a side present only when it has some.
 * Sides best first (bids highest first, asks lowest first).
 */
export function bookFromFields(entries: Iterable<BookField>, mode: 'snapshot' | 'delta'): BookData | BookDelta {
  const bids: BookLevel[] = [];
  const asks: BookLevel[] = [];
  let checksum = 0;
  let ts = 0;
  for (const [k, v] of entries) {
    if (k.length > 2 && k.charCodeAt(1) === 58 /* ':' */) {
      if (mode === 'snapshot' && v === 0) continue;
      const c = k.charCodeAt(0);
      if (c === 98 /* b */) bids.push([Number(k.slice(2)), v]);
      else if (c === 97 /* a */) asks.push([Number(k.slice(2)), v]);
    } else if (k === 'checksum') checksum = v;
    else if (k === 'ts') ts = v;
  }
  bids.sort((x, y) => y[0] - x[0]);
  asks.sort((x, y) => x[0] - y[0]);
  if (mode === 'snapshot') return { bids, asks, checksum, ts };
  const d: BookDelta = { checksum, ts };
  if (bids.length) d.bids = bids;
  if (asks.length) d.asks = asks;
  return d;
}

/** A level field at 0: kept while a recoverable `prev` may need to hear of the removal. */
export const isBookTombstone = (key: string, value: number): boolean =>
  value === 0 && key.length > 2 && key.charCodeAt(1) === 58 && (key.charCodeAt(0) === 98 || key.charCodeAt(0) === 97);

/**
 * How a state channel's `d` maps onto a stream record's flat fields, and back. A record keeps
 * every state stream as numeric fields, each with the seq that last changed it, so that a
 * conflated delta since any seq is "the fields changed after it". Channels whose `d` is not a
 * flat map of numbers (the order book's price levels) encode it here as keys of their own.
 * Pure; identity for ticker and candles.
 */
import type { BookDelta, Channel } from '../../shared/protocol.js';
import { bookFromFields, bookToFields, isBookTombstone } from '../market/book-fields.js';

/** One record field: its key and value. */
export type FieldEntry = [key: string, value: number];

/** What `fromFields` builds: a whole state (snapshot item) or the changed fields (update item). */
export type FieldMode = 'snapshot' | 'delta';

/**
 * The fields an event's (or a snapshot's) `d` sets, to merge into the record's fields in order.
 * Non-numeric values are ignored (state channels carry numbers only).
 */
export function toFields(_ch: Channel, d: Record<string, unknown>): FieldEntry[] {
  if (_ch === 'book') return bookToFields(d as unknown as BookDelta); // levels as b:<price> / a:<price>
  const out: FieldEntry[] = [];
  for (const k in d) {
    const v = d[k];
    if (typeof v === 'number') out.push([k, v]);
  }
  return out;
}

/**
 * The `d` sent for these fields: in 'snapshot' mode `entries` is the whole state, in 'delta'
 * mode the fields changed since the item's `prev` (tombstones included, so the client removes
 * them). The result is a fresh object the caller may keep.
 */
export function fromFields(_ch: Channel, entries: Iterable<FieldEntry>, _mode: FieldMode): Record<string, unknown> {
  if (_ch === 'book') return bookFromFields(entries, _mode) as unknown as Record<string, unknown>;
  const d: Record<string, unknown> = {};
  for (const [k, v] of entries) d[k] = v;
  return d;
}

/**
 * Whether this field value means "removed": the record keeps it only while a recoverable
 * position may still need to hear of the removal, then prunes it. Never, for channels whose
 * fields are fixed.
 */
export function isTombstone(_ch: Channel, _key: string, _value: number): boolean {
  if (_ch === 'book') return isBookTombstone(_key, _value);
  return false;
}

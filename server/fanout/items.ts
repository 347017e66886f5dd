/**
 * Builds the encoded `update` items that bring a client from `prev` to a stream's current seq,
 * reusing the bytes already built for another client at the same (stream, prev). Pure.
 */
import type { StreamRecord } from './stream-record.js';
import type { Encoded, Wire } from './wire.js';

/** Most trades in one item; older ones in the same span are counted in `dropped`. */
export const TRADES_PER_ITEM = 100;

/**
 * Appends to `out` the items from `prev` to `rec.seq`. Unthrottled state streams get one item
 * per event when the record still holds them; otherwise one conflated item (latest value of
 * each field changed since `prev`). Returns false when `prev` is too old for a delta (the
 * caller sends a snapshot instead).
 */
export function appendItems(rec: StreamRecord, prev: number, every: boolean, wire: Wire, out: Encoded[], stats?: { conflated: number; dropped: number }): boolean {
  if (prev >= rec.seq) return true;
  if (prev < rec.baseSeq) return false;
  if (rec.isState && every) {
    rec.keepEvents(); // a subscriber whose throttle became 0: every event from here on
    // The ring's events after `prev` (here prev is in [baseSeq, seq)), read in place: no copy.
    const ring = rec.ring;
    if (rec.seq - prev <= ring.length) {
      for (let i = ring.length - (rec.seq - prev); i < ring.length; i++) {
        const e = ring[i];
        out.push(((e.enc ??= [undefined, undefined])[wire.index] ??= wire.item({ ch: rec.ch, s: rec.s, seq: e.seq, prev: e.seq - 1, d: e.d })));
      }
      return true;
    }
  }
  // Counted per delivery (cheap arithmetic): a trades item holds at most TRADES_PER_ITEM.
  if (stats) {
    const n = rec.seq - prev;
    if (rec.isState) stats.conflated += n - 1;
    else if (n > TRADES_PER_ITEM) stats.dropped += n - TRADES_PER_ITEM;
  }
  // Shared only where another subscriber may ask for the same `prev`: a stream's only
  // subscriber's item would otherwise be held until the stream's next event, long enough for V8
  // to promote it (with 70,000 watched streams that made old-space garbage, and major GCs, every few seconds).
  if (rec.subs.size < 2) {
    out.push(wire.item(conflated(rec, prev)));
    return true;
  }
  let cached = rec.cache.get(prev);
  if (!cached) rec.cache.set(prev, (cached = [undefined, undefined]));
  out.push((cached[wire.index] ??= wire.item(conflated(rec, prev))));
  return true;
}

function conflated(rec: StreamRecord, prev: number): object {
  if (rec.isState) return { ch: rec.ch, s: rec.s, seq: rec.seq, prev, d: rec.changedSince(prev) };
  const { list, dropped } = rec.tradesSince(prev, TRADES_PER_ITEM);
  return dropped > 0
    ? { ch: rec.ch, s: rec.s, seq: rec.seq, prev, d: list, dropped }
    : { ch: rec.ch, s: rec.s, seq: rec.seq, prev, d: list };
}

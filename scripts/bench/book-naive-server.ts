/**
 * The naive baseline of the book bench: Tickwire itself, except that every `book` event carries
 * the whole top-depth window, as a server that sends full snapshots each time does (plus the 0s
 * of the levels that just left it, which the fan-out's records need; they are few). Same feed,
 * hub, encoding and conflation: only the book's payload differs. Started like server/main.ts.
 */
import type { BookData, BookDelta, BookLevel } from '../../shared/protocol.js';
import { MarketState } from '../../server/market/market-state.js';
import type { StreamEvent } from '../../server/market/stream-event.js';

const apply = MarketState.prototype.apply;
MarketState.prototype.apply = function (this: MarketState, e, out: StreamEvent[] = []) {
  const from = out.length;
  apply.call(this, e, out);
  for (let i = from; i < out.length; i++) {
    const ev = out[i]!;
    if (ev.ch !== 'book') continue;
    const delta = ev.d as unknown as BookDelta;
    const snap = this.snapshot(ev.s, 'book')!.d as unknown as BookData;
    const gone = (pairs: BookLevel[] | undefined) => (pairs ?? []).filter((l) => l[1] === 0);
    const d: BookData = {
      bids: [...snap.bids, ...gone(delta.bids)].sort((a, b) => b[0] - a[0]),
      asks: [...snap.asks, ...gone(delta.asks)].sort((a, b) => a[0] - b[0]),
      checksum: delta.checksum,
      ts: delta.ts,
    };
    ev.d = d as unknown as Record<string, number>;
  }
  return out;
};

await import('../../server/main.js');

/**
 * What a market source feeds the fan-out through: the only way in for both roles (the local
 * market, node/switch-source.ts, and a gateway's Redis mirror). The hub implements it; sources never
 * see the hub itself.
 */
import type { StreamEvent, StreamSnapshot } from '../market/stream-event.js';

export interface StreamSink {
  /** Events in order, as they happened; each becomes a delta to the sessions holding its stream. */
  publish(events: readonly StreamEvent[]): void;
  /** The stream's state moved on without its events (a gap): holders get a fresh snapshot. */
  resync(snap: StreamSnapshot): void;
  /** Whether any session holds a stream of this symbol (existing records only; never creates one). */
  held(symbol: string): boolean;
}

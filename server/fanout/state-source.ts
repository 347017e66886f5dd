/**
 * Where the fan-out reads whole stream states and recoveries from: the node's market state and
 * history in one process, or a gateway's mirror of Redis. The hub sees only this.
 */
import type { Channel, StreamPosition } from '../../shared/protocol.js';
import type { Recovery } from '../history/stream-history.js';
import type { StreamSnapshot } from '../market/stream-event.js';

export interface StateSource {
  isSymbol(symbol: string): boolean;
  /** The stream's whole state, with its seq and epoch; undefined while unknown. */
  snapshot(symbol: string, ch: Channel): StreamSnapshot | undefined;
  /**
   * Called before streams of these symbols are first used; may wait (a gateway subscribes to the
   * bus). `since`: the positions a subscribe will ask to recover (a gateway may read history).
   */
  prepare?(symbols: string[], since?: StreamPosition[]): Promise<void> | void;
  /** Whether a symbol's first snapshot needs work first (a back-fill); absent: never. */
  cold?(symbol: string): boolean;
  /**
   * Does that work off the event loop (`owner` takes turns with other owners); never rejects.
   * `inline`: while no worker has loaded, up to this many cold symbols are left to the first read.
   */
  warm?(symbols: string[], owner: object, inline?: number): Promise<void>;
  /** No session holds this symbol any more. */
  release?(symbol: string): void;
  /**
   * Protocol 1.1 recovery: whether every event after this position is still held, and the item
   * that brings the client to the stream's current seq. Absent: nothing is recovered.
   */
  recover?(p: StreamPosition, now: number): Recovery;
}

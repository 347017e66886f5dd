import type { Channel, Trade } from '../../shared/protocol.js';

/**
 * One change to one stream, as the market state emits it and the bus carries it.
 * `seq` is the stream's sequence after the change (it rises by exactly 1 per change).
 * For state channels `d` holds the changed fields; for `trades` it is the one new trade.
 */
export interface StreamEvent {
  s: string;
  ch: Channel;
  seq: number;
  d: Record<string, number> | Trade;
  /** The stream's epoch, where the carrier knows it (events from Redis carry it). */
  epoch?: string;
  /** When the feed published it, ms (events from Redis carry it): the history's clock on a cluster. */
  at?: number;
}

/** A stream's whole state and seq, as snapshots carry it. */
export interface StreamSnapshot {
  s: string;
  ch: Channel;
  seq: number;
  /** The numbering `seq` belongs to (protocol 1.1); set by every StateSource and REST view. */
  epoch?: string;
  /** Ticker or Candle fields; for `trades` the recent trades, newest last. */
  d: Record<string, number> | Trade[];
}

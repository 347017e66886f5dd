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
}

/** A stream's whole state and seq, as snapshots carry it. */
export interface StreamSnapshot {
  s: string;
  ch: Channel;
  seq: number;
  /** Ticker or Candle fields; for `trades` the recent trades, newest last. */
  d: Record<string, number> | Trade[];
}

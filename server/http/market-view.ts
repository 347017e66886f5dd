/**
 * What REST reads: the symbol list, current stream states and candle history. Served from the
 * market state in one process, or from Redis on a gateway.
 */
import type { Candle, Channel, Interval, SymbolInfo } from '../../shared/protocol.js';
import type { HistoryPart } from '../feed/history-job.js';
import type { StreamSnapshot } from '../market/stream-event.js';

export interface MarketView {
  symbols(): SymbolInfo[] | Promise<SymbolInfo[]>;
  snapshot(symbol: string, ch: Channel): StreamSnapshot | undefined | Promise<StreamSnapshot | undefined>;
  /**
   * Readies these symbols' first reads off the event loop (ROLE=all: their back-fills; `part`
   * 'head' for snapshots, the default, 'full' for candles); never rejects.
   */
  warm?(symbols: string[], owner: object, part?: HistoryPart): Promise<void>;
  /** A REST answer reading these symbols is built: they are watched no longer than that (unless held). */
  done?(symbols: string[]): void;
  /** Newest `limit` bars oldest first, or undefined for an unknown symbol. */
  candles(symbol: string, iv: Interval, limit: number): Candle[] | undefined | Promise<Candle[] | undefined>;
}

/**
 * The feed's contract: a TickSource produces market events for a fixed universe and can tell
 * each symbol's back-filled history as of the moment it starts. It knows nothing of clients.
 * The events and histories are the market state's input, defined beside it
 * (market/market-event.ts) and re-exported here for the feeds that produce them.
 */
import type { SymbolInfo } from '../../shared/protocol.js';
import type { MarketEvent, SymbolHistory } from '../market/market-event.js';

export type { BookInit, BookLevels, MarketEvent, Quote, SymbolHistory, TradePrint } from '../market/market-event.js';

export interface Instrument extends SymbolInfo {
  /** Book sizes are multiples of 10^-sizeDecimals. */
  sizeDecimals: number;
  /** Reference price: the last price of the history, where live events begin. */
  price: number;
  /** Typical daily volatility as a fraction of price (e.g. 0.02). */
  vol: number;
}

export interface TickSource {
  readonly instruments: readonly Instrument[];
  /** History up to the start time, computed once per symbol. */
  history(symbol: string): SymbolHistory;
  /** Begins producing events; `onEvents` gets batches in time order. */
  start(onEvents: (events: MarketEvent[]) => void): void;
  stop(): void;
}

/** `/api/symbols` of a node that runs its market: the simulator's instruments, or a replay's. */
import type { SymbolInfo } from '../../shared/protocol.js';
import type { ReplaySource } from '../feed/replay/replay-source.js';
import type { Instrument } from '../feed/tick-source.js';

/** The simulator's instruments as clients see them (every one has a book). */
export function simSymbols(instruments: readonly Instrument[]): SymbolInfo[] {
  return instruments.map(({ symbol, name, kind, decimals, tickSize, currency, sizeDecimals }) => ({ symbol, name, kind, decimals, tickSize, currency, sizeDecimals, source: 'sim' as const }));
}

/** A replay's: the scan's instruments with their exchange; `sizeDecimals` only where there is a book. */
export function replaySymbols(feed: ReplaySource): SymbolInfo[] {
  const books = new Map(feed.scan.plans.map((p) => [p.symbol, p.book !== 'none']));
  return feed.instruments.map(({ symbol, name, kind, decimals, tickSize, currency, sizeDecimals }) => ({
    symbol, name, kind, decimals, tickSize, currency,
    ...(books.get(symbol) ? { sizeDecimals } : {}),
    exchange: feed.scan.exchanges.get(symbol) ?? 'unknown',
    source: 'replay' as const,
  }));
}

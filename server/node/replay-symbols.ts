/** `/api/symbols` of a replay: the scan's instruments with their exchange; `sizeDecimals` only where there is a book. */
import type { SymbolInfo } from '../../shared/protocol.js';
import type { ReplaySource } from '../feed/replay/replay-source.js';

export function replaySymbols(feed: ReplaySource): SymbolInfo[] {
  const books = new Map(feed.scan.plans.map((p) => [p.symbol, p.book !== 'none']));
  return feed.instruments.map(({ symbol, name, kind, decimals, tickSize, currency, sizeDecimals }) => ({
    symbol, name, kind, decimals, tickSize, currency,
    ...(books.get(symbol) ? { sizeDecimals } : {}),
    exchange: feed.scan.exchanges.get(symbol) ?? 'unknown',
    source: 'replay' as const,
  }));
}

/** A replay serves its recording's symbols: when the watchlist holds none of them, the dashboard watches them (pure). */
import type { SymbolInfo } from '../../../shared/protocol.js';

/** Most recorded symbols added at once. */
const MOST = 12;

/** The symbols to add: the first of the recording's, when every served symbol is a replay's and none is watched; else none. */
export function replaySymbolsToAdd(served: readonly SymbolInfo[], watchlist: readonly string[]): string[] {
  if (served.length === 0 || !served.every((s) => s.source === 'replay')) return [];
  const names = new Set(served.map((s) => s.symbol));
  if (watchlist.some((w) => names.has(w))) return [];
  return served.slice(0, MOST).map((s) => s.symbol);
}

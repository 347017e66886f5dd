/** Matching a typed query against the served symbols, best first. Pure. */
import type { SymbolInfo } from '../../../shared/protocol.js';

/**
 * Symbols matching `query` (case-insensitive), leaving out `exclude`: exact symbol first, then
 * symbols starting with the query, then symbols or names containing it. At most `limit`.
 */
export function searchSymbols(all: readonly SymbolInfo[], query: string, exclude: readonly string[] = [], limit = 8): SymbolInfo[] {
  const q = query.trim().toUpperCase();
  if (!q) return [];
  const skip = new Set(exclude);
  const scored: { s: SymbolInfo; score: number; i: number }[] = [];
  all.forEach((s, i) => {
    if (skip.has(s.symbol)) return;
    const sym = s.symbol.toUpperCase();
    const compact = sym.replace(/[^A-Z0-9]/g, '');
    const score =
      sym === q ? 0
      : sym.startsWith(q) || compact.startsWith(q) ? 1
      : sym.includes(q) ? 2
      : s.name.toUpperCase().includes(q) ? 3
      : -1;
    if (score >= 0) scored.push({ s, score, i });
  });
  scored.sort((a, b) => a.score - b.score || a.i - b.i);
  return scored.slice(0, limit).map((x) => x.s);
}

/**
 * Symbols as typed on the command line against the server's list (pure): any case is accepted
 * when it names one symbol (`aapl`, `btcusd`); what names none stays as typed, for the server
 * to refuse, and its refusal then says which symbols are closest.
 */
import { closest, resolveName } from '../../shared/closest.js';

/** The typed symbols with each unique match replaced by the server's spelling. */
export function resolveSymbols(typed: readonly string[], served: readonly string[]): string[] {
  return [...new Set(typed.map((t) => resolveName(t, served) ?? t))];
}

/** For a refused symbol: `did you mean AAPL?`, `did you mean AMD or AMZN?`, or nothing near. */
export function suggestion(symbol: string, served: readonly string[]): string {
  const near = closest(symbol, served);
  if (!near.length) return `${symbol}: no such symbol`;
  return `${symbol}: no such symbol; did you mean ${near.length === 1 ? near[0] : `${near.slice(0, -1).join(', ')} or ${near.at(-1)}`}?`;
}

/** The trades tape of the selected symbol: newest first, bounded. */
import type { Trade } from '../../../shared/protocol.js';

export const TAPE_ROWS = 60;

export class Tape {
  #rows = $state.raw<Trade[]>([]);

  get rows(): readonly Trade[] {
    return this.#rows;
  }

  /** Replaces the tape with `trades` (oldest first, as in a snapshot). */
  replace(trades: readonly Trade[]): void {
    this.#rows = trades.slice(-TAPE_ROWS).reverse();
  }

  /** Adds new trades (oldest first). Trades already shown (same id) are skipped. */
  push(trades: readonly Trade[]): void {
    if (!trades.length) return;
    const newest = this.#rows[0]?.id ?? -Infinity;
    const fresh = trades.filter((t) => t.id > newest);
    if (!fresh.length) return;
    this.#rows = [...fresh.slice(-TAPE_ROWS).reverse(), ...this.#rows].slice(0, TAPE_ROWS);
  }

  clear(): void {
    this.#rows = [];
  }
}

/** The trades tape of the selected symbol (lib/tape-rows.ts), as reactive screen state. */
import type { Trade } from '../../../shared/protocol.js';
import { TapeRows, type TapeRow } from '../lib/tape-rows.js';

export const TAPE_ROWS = 60;

export class Tape {
  readonly #data = new TapeRows(TAPE_ROWS);
  #rows = $state.raw<readonly TapeRow[]>([]);

  get rows(): readonly TapeRow[] {
    return this.#rows;
  }

  /** Trades were lost after what is shown: a marker will stand there. */
  markMissed(): void {
    this.#data.markMissed();
  }

  /** Replaces the tape with `trades` (oldest first, as in a snapshot). */
  replace(trades: readonly Trade[]): void {
    this.#data.replace(trades);
    this.#rows = this.#data.rows;
  }

  /** Adds new trades (oldest first). Trades already shown (same id) are skipped. */
  push(trades: readonly Trade[]): void {
    if (this.#data.push(trades)) this.#rows = this.#data.rows;
  }

  clear(): void {
    this.#data.clear();
    this.#rows = this.#data.rows;
  }
}

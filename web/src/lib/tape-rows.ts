/**
 * The trades tape's rows: newest first, bounded, with a marker where trades were lost (the
 * client could not recover the stream after a disconnect, or saw a gap): above the marker the
 * trades after the hole, below it those before. Pure; state/tape.svelte.ts shows the result.
 */
import type { Trade } from '../../../shared/protocol.js';

/** A tape row: a trade, or the marker of trades missed after trade `id` (-Infinity: before any). */
export type TapeRow = (Trade & { missed?: undefined }) | { missed: true; id: number };

export class TapeRows {
  #rows: TapeRow[] = [];
  /** A hole reported and not yet placed: the newest trade id shown when it was reported. */
  #holeAfter: number | undefined;

  constructor(readonly cap: number) {}

  get rows(): readonly TapeRow[] {
    return this.#rows;
  }

  /** Newest trade id shown. */
  newest(): number {
    return this.#rows.find((r) => !r.missed)?.id ?? -Infinity;
  }

  /**
   * Trades were missed after what is shown. The marker appears with the next trades (a snapshot
   * or new ones), so that it stands between the old and the new.
   */
  markMissed(): void {
    if (this.#holeAfter === undefined) this.#holeAfter = this.newest();
  }

  /**
   * Replaces the rows with `trades` (oldest first, as in a snapshot). After a hole, the trades
   * shown before it stay below the marker and only the newer ones come above it.
   */
  replace(trades: readonly Trade[]): void {
    const hole = this.#holeAfter;
    if (hole === undefined) {
      this.#rows = trades.slice(-this.cap).reverse();
    } else if (trades.length && trades[trades.length - 1].id <= hole) {
      // Ids went back: the stream started over (a new epoch). Old and new ids do not compare, so
      // the old trades go; the marker says trades were missed before these.
      this.#holeAfter = undefined;
      this.#rows = [...trades.slice(-(this.cap - 1)).reverse(), { missed: true, id: -Infinity }];
    } else {
      this.#placeHole(trades.filter((t) => t.id > hole));
    }
  }

  /** Adds new trades (oldest first); those already shown (same id or older) are skipped. False when nothing changed. */
  push(trades: readonly Trade[]): boolean {
    const newest = this.newest();
    const fresh = trades.filter((t) => t.id > newest);
    if (!fresh.length) return false;
    if (this.#holeAfter !== undefined) this.#placeHole(fresh);
    else this.#rows = [...fresh.slice(-this.cap).reverse(), ...this.#rows].slice(0, this.cap);
    return true;
  }

  clear(): void {
    this.#rows = [];
    this.#holeAfter = undefined;
  }

  #placeHole(after: readonly Trade[]): void {
    const hole = this.#holeAfter!;
    this.#holeAfter = undefined;
    const before = this.#rows.filter((r) => r.missed || r.id <= hole);
    this.#rows = [...after.slice(-this.cap).reverse(), { missed: true, id: hole } as TapeRow, ...before].slice(0, this.cap);
  }
}

/**
 * Checksum verification of the books a client keeps (pure). The checksum needs each symbol's
 * `decimals` and `sizeDecimals` (from `/api/symbols`); books that arrive before those are
 * known are held (bounded) and checked when they come, so that every book state is checked.
 */
import { verifyBook, type BookState } from '../book.js';

export interface SymbolDecimals {
  decimals: number;
  sizeDecimals: number;
}

/** Book states held for a later check, at most (the oldest beyond it count as unverified). */
const HELD_MAX = 5000;

export type CheckResult = 'ok' | 'mismatch' | 'later' | 'unverified';

export class BookChecks {
  #info?: Map<string, SymbolDecimals>;
  #held: { symbol: string; book: BookState }[] = [];
  #failed = false;
  verified = 0;
  mismatched = 0;
  /** Book states that could not be checked (no decimals for the symbol, or too many held). */
  unverified = 0;

  get known(): boolean {
    return this.#info !== undefined;
  }

  /** Checks one book state: 'later' when the decimals are not known yet. */
  check(symbol: string, book: BookState): CheckResult {
    if (!this.#info && this.#failed) {
      this.unverified++;
      return 'unverified';
    }
    if (!this.#info) {
      this.#held.push({ symbol, book });
      if (this.#held.length > HELD_MAX) {
        this.#held.shift();
        this.unverified++;
      }
      return 'later';
    }
    const dec = this.#info.get(symbol);
    if (!dec) {
      this.unverified++;
      return 'unverified';
    }
    if (verifyBook(book, dec.decimals, dec.sizeDecimals)) {
      this.verified++;
      return 'ok';
    }
    this.mismatched++;
    return 'mismatch';
  }

  /**
   * Takes `/api/symbols`'s body (a list of `{symbol, decimals, sizeDecimals}`, or an object with
   * such a `symbols` list) and checks every held book; returns the symbols whose book mismatched.
   * Entries without both whole numbers are skipped.
   */
  setInfo(body: unknown): string[] {
    const list = Array.isArray(body) ? body : (body as { symbols?: unknown } | null)?.symbols;
    const info = new Map<string, SymbolDecimals>();
    for (const e of Array.isArray(list) ? list : []) {
      const { symbol, decimals, sizeDecimals } = (e ?? {}) as Record<string, unknown>;
      if (typeof symbol === 'string' && Number.isInteger(decimals) && Number.isInteger(sizeDecimals))
        info.set(symbol, { decimals: decimals as number, sizeDecimals: sizeDecimals as number });
    }
    this.#info = info;
    const bad = new Set<string>();
    for (const { symbol, book } of this.#held.splice(0)) if (this.check(symbol, book) === 'mismatch') bad.add(symbol);
    return [...bad];
  }

  /** A fetch of the decimals begins: books are held again until it ends. */
  loading(): void {
    this.#failed = false;
  }

  /** The fetch failed: held books, and later ones until the next fetch, count as unverified. */
  giveUp(): void {
    this.#failed = true;
    this.unverified += this.#held.length;
    this.#held = [];
  }
}

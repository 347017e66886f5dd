/**
 * The focused symbol's order book as the screen shows it: written by the Market on its screen
 * beat (never per change), replaced rather than mutated.
 */
import type { BookLevels } from '../lib/book-ladder.js';

/**
 * The depth chart redraws at most this often (ms): its shape barely changes between two
 * ladder updates, and a canvas repaint is a whole panel's pixels on a software-rendered page.
 */
const DEPTH_EVERY_MS = 250;

export class BookState {
  #levels = $state.raw<BookLevels | undefined>();
  #depth = $state.raw<BookLevels | undefined>();
  #version = $state(0);
  #depthAt = -Infinity;

  /** The latest book (each side best first), or undefined before the first one. */
  get levels(): BookLevels | undefined {
    return this.#levels;
  }
  /** Rises with every book shown. */
  get version(): number {
    return this.#version;
  }
  /** The book the depth chart draws: the latest, at most every DEPTH_EVERY_MS. */
  get depth(): BookLevels | undefined {
    return this.#depth;
  }

  /** Shows `book` at `now` (frame time, ms). Returns true while the depth chart still waits for it. */
  set(book: BookLevels, now: number): boolean {
    this.#levels = { bids: book.bids, asks: book.asks };
    this.#version++;
    return this.flushDepth(now);
  }

  /** Hands the latest book to the depth chart when due; true while it still waits. */
  flushDepth(now: number): boolean {
    if (this.#depth === this.#levels) return false;
    if (now - this.#depthAt < DEPTH_EVERY_MS) return true;
    this.#depthAt = now;
    this.#depth = this.#levels;
    return false;
  }

  clear(): void {
    this.#levels = undefined;
    this.#depth = undefined;
    this.#depthAt = -Infinity;
    this.#version++;
  }
}

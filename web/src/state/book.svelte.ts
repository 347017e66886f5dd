/**
 * The focused symbol's order book as the screen shows it: written by the Market on its screen
 * beat (never per change), replaced rather than mutated.
 */
import type { BookLevels } from '../lib/book-ladder.js';

export class BookState {
  #levels = $state.raw<BookLevels | undefined>();
  #version = $state(0);

  /** The latest book (each side best first), or undefined before the first one. */
  get levels(): BookLevels | undefined {
    return this.#levels;
  }
  /** Rises with every book shown: the depth chart redraws on it. */
  get version(): number {
    return this.#version;
  }

  set(book: BookLevels): void {
    this.#levels = { bids: book.bids, asks: book.asks };
    this.#version++;
  }

  clear(): void {
    this.#levels = undefined;
    this.#version++;
  }
}

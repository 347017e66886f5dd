/**
 * Work in slices, taking turns: a caller builds a slice (a few ms), then waits for its next
 * turn. Turns are served first come, first served, one per event-loop iteration (`defer`,
 * setImmediate by default), so sockets, timers and every other caller's slices run between
 * any two slices of one caller, however many callers there are (a setImmediate of each
 * caller's own would run them all in one iteration: a thousand requests' slices of 4 ms, 4 s).
 * The fan-out's control steps (fanout/turns.ts) and REST's big answers (http/sliced.ts) use it.
 */
export class Turns {
  readonly #waiting: (() => void)[] = [];
  readonly #defer: (fn: () => void) => void;
  #scheduled = false;

  constructor(defer: (fn: () => void) => void = setImmediate) {
    this.#defer = defer;
  }

  /** Turns waiting. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves at the caller's next turn. */
  next(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#waiting.push(resolve);
      this.#kick();
    });
  }

  #kick(): void {
    if (this.#scheduled || this.#waiting.length === 0) return;
    this.#scheduled = true;
    this.#defer(() => {
      this.#scheduled = false;
      this.#waiting.shift()?.();
      this.#kick();
    });
  }
}

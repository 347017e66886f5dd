/**
 * Work in slices, taking turns: a caller builds a slice (a few ms), then waits for its next
 * turn. Turns are served first come, first served, within one event-loop iteration's budget
 * (`defer`, setImmediate by default): each iteration hands out turns one after another, each
 * once the previous turn's work has run (its microtasks), until `budgetMs` of `clock` has gone,
 * at least one; the rest wait for the next iteration. So sockets, timers and every other
 * caller's slices run between any two slices of one caller, however many callers there are
 * (a setImmediate of each caller's own ran them all in one iteration: a thousand requests'
 * slices of 4 ms, 4 s), and many small steps (a ping, a ten-symbol subscribe) still go through
 * in one iteration (one turn an iteration served 200 clients' control messages at ~600 a second).
 * The fan-out's control steps (fanout/turns.ts) and REST's big answers (http/sliced.ts) use it.
 */
export interface TurnsOptions {
  /** Work handed out per iteration, ms of `clock` (default 4; 0: one turn an iteration). */
  budgetMs?: number;
  /** A monotonic ms clock (default performance.now). */
  clock?: () => number;
}

export class Turns {
  readonly #waiting: (() => void)[] = [];
  readonly #defer: (fn: () => void) => void;
  readonly #budgetMs: number;
  readonly #clock: () => number;
  #scheduled = false;

  constructor(defer: (fn: () => void) => void = setImmediate, o: TurnsOptions = {}) {
    this.#defer = defer;
    this.#budgetMs = o.budgetMs ?? 4;
    this.#clock = o.clock ?? (() => performance.now());
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
      const end = this.#clock() + this.#budgetMs;
      const hand = (): void => {
        this.#waiting.shift()?.();
        // Queued behind the turn's own continuation: the check comes once its slice has run.
        queueMicrotask(() => {
          if (this.#waiting.length && this.#clock() < end) return hand();
          this.#scheduled = false;
          this.#kick();
        });
      };
      hand();
    });
  }
}

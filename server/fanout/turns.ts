/**
 * Control work in slices, taking turns: a session with a large subscribe or snapshot request
 * builds a slice (a few ms, see SliceBudget), then waits for its next turn. Turns are served
 * first come, first served, one per event-loop iteration (`defer`, setImmediate by default), so
 * sockets, timers and every other session's slices run between any two slices of one session.
 * A session has at most one control step running (its queue), hence one turn waiting: the
 * queue is round-robin over sessions.
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

/** A slice's work (ms), the streams below which it never ends early, and its most streams. */
export const SLICE = { ms: 4, min: 512, max: 2000 };

/**
 * When a slice is done: after `ms` of work once it holds at least `min` streams (a small
 * request stays one frame), or at `max` streams whatever the time (frames stay bounded).
 * `clock` is a monotonic ms clock (performance.now).
 */
export class SliceBudget {
  #start = 0;
  #count = 0;

  constructor(
    readonly clock: () => number,
    readonly ms: number,
    readonly min: number,
    readonly max: number,
  ) {}

  begin(): void {
    this.#start = this.clock();
    this.#count = 0;
  }

  /** Counts one stream built; true when the slice should end here. */
  spend(): boolean {
    const n = ++this.#count;
    return n >= this.max || (n >= this.min && this.clock() - this.#start >= this.ms);
  }
}

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

/**
 * A slice's work (ms); the streams below which a slice of cheap streams never ends early (so a
 * small request stays one frame); its most streams; and the time one stream's build takes
 * (ms) from which it counts as first-touch work (a back-fill read in-thread, a book rebuilt).
 */
export const SLICE = { ms: 4, min: 512, max: 2000, heavyMs: 1 };

/**
 * When a slice is done. A slice ends after `ms` of work once it holds at least `min` streams,
 * or as soon as it has spent `ms` if any of its streams took `heavyMs` or more to build: a
 * slice carrying first-touch work ends on time alone, so it holds the loop about `ms` plus one
 * stream's build, however few streams it holds. Whatever it holds, it ends after twice `ms`
 * (many first reads just under `heavyMs` each). At `max` streams it ends whatever the time
 * (frames stay bounded). `clock` is a monotonic ms clock (performance.now).
 */
export class SliceBudget {
  #start = 0;
  #last = 0;
  #count = 0;
  #heavy = false;

  constructor(
    readonly clock: () => number,
    readonly ms: number,
    readonly min: number,
    readonly max: number,
    readonly heavyMs: number = SLICE.heavyMs,
  ) {}

  begin(): void {
    this.#start = this.#last = this.clock();
    this.#count = 0;
    this.#heavy = false;
  }

  /** Counts one stream built (its cost: the time since the previous one); true when the slice should end here. */
  spend(): boolean {
    const n = ++this.#count;
    const now = this.clock();
    if (now - this.#last >= this.heavyMs) this.#heavy = true;
    this.#last = now;
    const spent = now - this.#start;
    return n >= this.max || spent >= 2 * this.ms || (spent >= this.ms && (this.#heavy || n >= this.min));
  }
}

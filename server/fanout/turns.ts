/**
 * Control work in slices, taking turns (lib/turns.ts): a session with a large subscribe or
 * snapshot request builds a slice (a few ms, see SliceBudget), then waits for its next turn.
 * A session has at most one control step running (its queue), hence one turn waiting: the
 * queue is round-robin over sessions.
 */
export { Turns } from '../lib/turns.js';

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

/**
 * How often the screen changes. Pure: the time (ms, frame time) comes in.
 */

/** A beat at most every `everyMs`; a frame within `slackMs` of it counts as on it (frame times jitter). */
export class Beat {
  #at = -Infinity;

  constructor(
    readonly everyMs: number,
    readonly slackMs = 4,
  ) {}

  /** True (and the beat is taken) when a beat is due at `now`. */
  take(now: number): boolean {
    if (now - this.#at < this.everyMs - this.slackMs) return false;
    this.#at = now;
    return true;
  }
}

/**
 * At most once per period, at a phase fixed by `key`: many keys on the same period spread over
 * it instead of all coming due in the same frame.
 */
export class PhasedSlot {
  readonly phase: number;
  #slot = NaN;

  constructor(
    readonly periodMs: number,
    key: string,
  ) {
    let h = 0x811c9dc5; // FNV-1a
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    this.phase = (h >>> 0) % periodMs;
  }

  /** True (and the slot is used) when `now` is in a period slot not yet used. */
  take(now: number): boolean {
    const slot = Math.floor((now + this.phase) / this.periodMs);
    if (slot === this.#slot) return false;
    this.#slot = slot;
    return true;
  }
}

/**
 * A beat split into lanes taken in turn: each lane is due every `everyMs`, the lanes
 * `everyMs / lanes` apart. Each lane carries part of the screen, so a frame carries a part of
 * the work rather than all of it.
 */
export class LaneBeat {
  readonly #beat: Beat;
  #next = 0;

  constructor(
    readonly everyMs: number,
    readonly lanes: number,
    slackMs = 4,
  ) {
    this.#beat = new Beat(everyMs / lanes, slackMs);
  }

  /** The lane due at `now` (and it is taken), or -1 when none is. */
  take(now: number): number {
    if (!this.#beat.take(now)) return -1;
    const lane = this.#next;
    this.#next = (lane + 1) % this.lanes;
    return lane;
  }
}

/** The lane of item `index` of `count`: contiguous blocks, so a lane's rows sit together on screen. */
export function laneOf(index: number, count: number, lanes: number): number {
  return count > 0 ? Math.min(lanes - 1, Math.floor((index * lanes) / count)) : 0;
}

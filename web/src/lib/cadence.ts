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

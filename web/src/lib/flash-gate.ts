/**
 * Rate limit for price flashes: at most three a second per cell (WCAG 2.3.1, "three flashes").
 * One gate per cell; pure, the time comes in.
 */
export class FlashGate {
  #last = -Infinity;

  /**
   * @param minGapMs shortest time between two flashes. 334 ms would be exactly three a second;
   * 400 leaves room for the jitter between this decision and the paint on a busy page, so the
   * flashes a person sees stay at three a second at most.
   */
  constructor(readonly minGapMs = 400) {}

  /** True (and records the flash) when a flash may start at `now` (ms). */
  allow(now: number): boolean {
    if (now - this.#last < this.minGapMs) return false;
    this.#last = now;
    return true;
  }
}

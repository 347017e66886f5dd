/**
 * The market clock as a client sees it (protocol 1.2 section 2), pure: `hello.clock` and each
 * `clock` message set it; market "now" is `at + (now - t) * speed` while a replay plays, `at`
 * while paused or ended, at `max` the latest `ts` seen, and the wall clock when live.
 */
import type { ClockMsg, MarketClock } from '../protocol.js';

/** The clock with the server time `t` its `at` belongs to. */
export type ClientClock = { mode: 'live' } | (Omit<ClockMsg, 'type'> & { control?: boolean });

export class MarketClockTracker {
  #clock: ClientClock = { mode: 'live' };
  /** The newest `ts` seen since the clock was last set (what "now" is at max). */
  #latest = -Infinity;

  get clock(): ClientClock {
    return this.#clock;
  }

  /** From hello (its `clock` and `t`; absent: live) or a `clock` message. */
  set(clock: MarketClock | ClockMsg | undefined, t: number): void {
    if (!clock || clock.mode !== 'replay') this.#clock = { mode: 'live' };
    else {
      const { type: _type, ...rest } = clock as ClockMsg;
      // `control` (an extension) is told per connection in hello only: a clock message keeps it.
      const control = 'control' in clock ? clock.control : this.#clock.mode === 'replay' ? this.#clock.control : undefined;
      this.#clock = { ...rest, t: (clock as ClockMsg).t ?? t, ...(control !== undefined ? { control } : {}) };
    }
    this.#latest = -Infinity;
  }

  /** A data item's source time. */
  seen(ts: number): void {
    if (ts > this.#latest) this.#latest = ts;
  }

  /** Market time at wall time `now` (ms since epoch). */
  now(now: number): number {
    const c = this.#clock;
    if (c.mode === 'live') return now;
    if (c.paused || c.ended) return c.at;
    if (c.speed === 'max') return Math.max(c.at, this.#latest);
    return Math.min(c.to, c.at + (now - c.t) * c.speed);
  }
}

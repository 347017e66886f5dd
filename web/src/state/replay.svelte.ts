/**
 * The market clock the dashboard shows (protocol 1.2): set from the client's `clock` events
 * (hello and every `clock` message); `now` is market now, ticking while a replay plays.
 */
import type { ClientClock } from '../../../shared/client/types.js';

class ReplayClockState {
  clock = $state.raw<ClientClock>({ mode: 'live' });
  /** Market now, refreshed four times a second while a replay plays. */
  now = $state(0);
  #marketNow: () => number = () => Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;

  set(clock: ClientClock, marketNow: () => number): void {
    this.clock = clock;
    this.#marketNow = marketNow;
    this.now = marketNow();
    clearInterval(this.#timer);
    this.#timer = clock.mode === 'replay' && !clock.paused && !clock.ended ? setInterval(() => (this.now = this.#marketNow()), 250) : undefined;
  }
}

export const replayClock = new ReplayClockState();

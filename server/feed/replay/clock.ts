/**
 * The replay clock (protocol 1.2 section 2), pure: wall time comes in as `now`. The market
 * position is `at + (now - wall) * speed` while playing, `at` while paused or ended, and at
 * `max` the receive time of the last row delivered. Positions are the recording's receive
 * times (what orders the replay), bounded by `from`..`to`.
 */
import type { MarketClock, ReplaySpeed } from '../../../shared/protocol.js';

export type ReplayClockState = Extract<MarketClock, { mode: 'replay' }>;

export class ReplayClock {
  readonly from: number;
  readonly to: number;
  speed: ReplaySpeed;
  paused = false;
  ended = false;
  /** Market position at wall time #wall. */
  #at: number;
  #wall: number;

  constructor(from: number, to: number, speed: ReplaySpeed, now: number) {
    this.from = from;
    this.to = to;
    this.speed = speed;
    this.#at = from;
    this.#wall = now;
  }

  /** The market position at wall time `now`. */
  at(now: number): number {
    if (this.paused || this.ended || this.speed === 'max') return this.#at;
    return Math.min(this.to, this.#at + (now - this.#wall) * this.speed);
  }

  /** Rows up to this receive time are due (Infinity at max while playing). */
  target(now: number): number {
    if (this.paused || this.ended) return -Infinity;
    return this.speed === 'max' ? Infinity : this.#at + (now - this.#wall) * this.speed;
  }

  /** Wall ms until a row at `recv` is due (0: now; Infinity while paused or ended). */
  dueIn(recv: number, now: number): number {
    if (this.paused || this.ended) return Infinity;
    if (this.speed === 'max') return 0;
    return Math.max(0, (recv - this.#at) / this.speed - (now - this.#wall));
  }

  /** At max, the position follows delivery. */
  delivered(recv: number): void {
    if (this.speed === 'max' && recv > this.#at) this.#at = recv;
  }

  #anchor(at: number, now: number): void {
    this.#at = at;
    this.#wall = now;
  }

  pause(now: number): void {
    if (!this.paused) this.#anchor(this.at(now), now);
    this.paused = true;
  }

  resume(now: number): void {
    if (this.paused) this.#anchor(this.#at, now);
    this.paused = false;
  }

  setSpeed(speed: ReplaySpeed, now: number): void {
    this.#anchor(this.at(now), now);
    this.speed = speed;
  }

  /** Moves to `at` (playing on from there unless paused); not ended any more. */
  seek(at: number, now: number): void {
    this.#anchor(at, now);
    this.ended = false;
  }

  end(now: number): void {
    this.#anchor(this.to, now);
    this.ended = true;
  }

  state(now: number): ReplayClockState {
    return { mode: 'replay', speed: this.speed, at: this.at(now), paused: this.paused, ended: this.ended, from: this.from, to: this.to };
  }
}

/** A speed from text: a number > 0 or `max`; undefined when neither. */
export function parseSpeed(v: unknown): ReplaySpeed | undefined {
  if (v === 'max') return 'max';
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

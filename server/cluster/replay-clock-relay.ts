/**
 * FEED=replay in a cluster: the feed node's replay clock reaches the gateways through Redis
 * (key and channel `clock`, redis/keys.ts). The feed writes `[state, t]` (the clock as
 * `feed.clock()` gives it, `at` being the market time at wall time `t`) whenever it changes
 * other than by running (start, pause, resume, seek, speed, a loop, the end) and publishes the
 * same bytes; a gateway reads the key at start and after every resubscription and follows the
 * channel. Gateways only mirror the clock: control stays on the feed node.
 */
import type { RedisLink } from '../redis/connection.js';
import { encode } from '../../shared/codec.js';
import type { ReplayClockState } from '../feed/replay/clock.js';
import { unpack } from '../redis/keys.js';

/** The clock as the feed stored it: its state at wall time `t` (the feed's clock, ms). */
export interface StoredClock {
  state: ReplayClockState;
  t: number;
}

export const packClock = (c: StoredClock): Buffer => encode([c.state, c.t]) as Buffer;

/** Throws on anything but what packClock wrote. */
export function unpackClock(b: Uint8Array): StoredClock {
  const v = unpack<[ReplayClockState, number]>(b);
  if (!Array.isArray(v) || typeof v[1] !== 'number' || v[0]?.mode !== 'replay' || typeof v[0].at !== 'number') throw new Error('bad clock value');
  return { state: v[0], t: v[1] };
}

/** Feed side: stores and announces the clock in one MULTI. Resolves when Redis answered. */
export async function writeClock({ commands, keys }: RedisLink, c: StoredClock): Promise<void> {
  const packed = packClock(c);
  await commands.multi().set(keys.clock, packed).publish(keys.clock, packed).exec();
}

/** Feed side, not replaying: no clock (gateways then say nothing of one: live). */
export async function clearClock({ commands, keys }: RedisLink): Promise<void> {
  await commands.del(keys.clock);
}

/** The clock at wall time `now`, projected from the stored one: `at + (now - t) * speed` while playing, within `to`. */
export function projectClock(c: StoredClock, now: number): ReplayClockState {
  const s = c.state;
  if (s.paused || s.ended || s.speed === 'max') return { ...s };
  return { ...s, at: Math.min(s.to, s.at + Math.max(0, now - c.t) * s.speed) };
}

/**
 * Gateway side: the last clock the feed stored. `onChange` runs for each clock that arrives
 * through the channel or differs from the one held when the key is read again.
 */
export class ClockMirror {
  current: StoredClock | undefined;
  #raw: Buffer | undefined;

  constructor(
    private readonly link: RedisLink,
    private readonly onChange: (c: StoredClock) => void,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  /** Reads the key (at start, after a reconnect); an absent key means the feed is not replaying. */
  async load(): Promise<void> {
    const b = await this.link.commands.getBuffer(this.link.keys.clock);
    if (b === null) return void ((this.current = undefined), (this.#raw = undefined));
    this.apply(b);
  }

  /** A value from the key or the channel; ignored when it is the one held. */
  apply(b: Buffer): void {
    if (this.#raw?.equals(b)) return;
    let c: StoredClock;
    try {
      c = unpackClock(b);
    } catch (err) {
      return this.onError(err as Error);
    }
    this.#raw = b;
    this.current = c;
    this.onChange(c);
  }

  /** The clock now, or undefined when the feed is not replaying. */
  clock(now: number): ReplayClockState | undefined {
    return this.current && projectClock(this.current, now);
  }
}

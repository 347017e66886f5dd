/** The replay clock as gateways mirror it (cluster/replay-clock-relay.ts): its projection and its encoding. */
import { describe, expect, it } from 'vitest';
import { packClock, projectClock, unpackClock, type StoredClock } from '../../server/cluster/replay-clock-relay.js';
import { encode } from '../../shared/codec.js';

const stored = (o: Partial<StoredClock['state']> = {}): StoredClock => ({
  state: { mode: 'replay', speed: 10, at: 1_000, paused: false, ended: false, from: 0, to: 5_000, ...o },
  t: 100,
});

describe('replay clock relay', () => {
  it('projects `at` to now while playing, within `to`', () => {
    expect(projectClock(stored(), 150).at).toBe(1_500);
    expect(projectClock(stored(), 1_000).at).toBe(5_000);
    expect(projectClock(stored(), 50).at).toBe(1_000); // a clock behind the feed's does not go back
  });

  it('keeps `at` while paused, ended or at max', () => {
    for (const o of [{ paused: true }, { ended: true }, { speed: 'max' as const }]) expect(projectClock(stored(o), 900).at).toBe(1_000);
  });

  it('round-trips, and refuses anything else', () => {
    expect(unpackClock(packClock(stored()))).toEqual(stored());
    expect(() => unpackClock(encode([{ mode: 'live' }, 1]) as Buffer)).toThrow(/bad clock/);
    expect(() => unpackClock(encode('x') as Buffer)).toThrow(/bad clock/);
  });
});

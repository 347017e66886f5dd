/** The beat (beat.ts): heartbeats to idle sessions, token expiry, gated sessions cut past their grace. */
import { describe, expect, it } from 'vitest';
import { Beat } from '../../server/fanout/beat.js';
import type { Session } from '../../server/fanout/session.js';
import { bareSession } from '../helpers/hub.js';

function setup() {
  const stats = { tokenExpired: 0 };
  const closed: Session[] = [];
  const beat = new Beat({ heartbeatMs: 100, stats, close: (s) => void closed.push(s) });
  return { beat, stats, closed };
}

describe('the beat', () => {
  it('sends a heartbeat to a session sent nothing for heartbeatMs, none before', () => {
    const t = setup();
    const c = bareSession({}, { now: 1000 });
    t.beat.run(1099, [c.session]);
    expect(c.got).toEqual([]);
    t.beat.run(1100, [c.session]);
    expect(c.got).toEqual([{ type: 'heartbeat', t: 1100 }]);
    t.beat.run(1150, [c.session]);
    expect(c.got).toHaveLength(1);
  });

  it('tells and closes (1008) a session at its cutoff, once; a moved or cleared cutoff holds', () => {
    const t = setup();
    const a = bareSession({}, { now: 0, id: 'a' });
    const b = bareSession({}, { now: 0, id: 'b' });
    t.beat.setCutoff(a.session, 500);
    t.beat.setCutoff(b.session, 500);
    t.beat.setCutoff(b.session, undefined);
    t.beat.run(499, []);
    expect(t.closed).toEqual([]);
    t.beat.run(500, []);
    t.beat.run(600, []);
    expect(t.closed).toEqual([a.session]);
    expect(a.got).toEqual([expect.objectContaining({ type: 'error', code: 'token_expired' })]);
    expect(a.closes).toEqual([1008]);
    expect(t.stats.tokenExpired).toBe(1);
  });

  it('cuts a session gated past its grace even when nothing is written to it', () => {
    const t = setup();
    let cut = 0;
    const c = bareSession({ cut: () => void cut++ }, { now: 0, policy: { highWater: 10, graceMs: 200 } });
    c.setPending(11);
    c.session.send({ type: 'pong', t: 0 }, 50); // held: the gate shuts at 50
    t.beat.run(60, [c.session]);
    t.beat.run(251, [c.session]);
    expect(cut).toBe(1);
    expect(c.got).toEqual([expect.objectContaining({ type: 'error', code: 'slow_consumer' })]);
    expect(c.closes).toEqual([1013]);
  });
});

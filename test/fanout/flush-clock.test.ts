/**
 * The flush clock (flush-clock.ts) on its own: real sessions on recording transports, a clock
 * and a deferral the test drives. When each session is written, and what happens to one that
 * is gated, forgotten or throws.
 */
import { describe, expect, it } from 'vitest';
import { FlushClock } from '../../server/fanout/flush-clock.js';
import type { Session, Sub } from '../../server/fanout/session.js';
import { StreamRecord } from '../../server/fanout/stream-record.js';
import { bareSession } from '../helpers/hub.js';

function setup() {
  let now = 0;
  const runs: (() => void)[] = [];
  const failed: Session[] = [];
  const clock = new FlushClock({ now: () => now, tickMs: 10, onFail: (s) => void failed.push(s), defer: (run) => void runs.push(run) });
  const rec = new StreamRecord<Sub>('AAA', 'ticker');
  rec.reset({ s: 'AAA', ch: 'ticker', seq: 0, epoch: 'e1', d: { last: 0 } });
  let seq = 0;
  /** A session subscribed to the one stream at `throttle`. */
  const client = (throttle: number, o: { failOn?: 'update'; highWater?: number } = {}) => {
    const c = bareSession({ enqueue: (sub) => clock.enqueue(sub), retry: (s) => clock.retry(s) }, { now, policy: { highWater: o.highWater ?? 1 << 20 }, transport: { failOn: o.failOn } });
    const sub = c.session.subscribe(rec, throttle);
    rec.subs.add(sub);
    if (throttle === 0) rec.keepEvents(); // as the stream table attaches it: every event kept
    return c;
  };
  /** One event on the stream: every subscriber has news. */
  const event = () => {
    rec.apply({ s: 'AAA', ch: 'ticker', seq: ++seq, d: { last: seq } });
    for (const sub of rec.subs) sub.session.markDirty(sub);
  };
  const endTurn = () => runs.splice(0).forEach((r) => r());
  return { clock, client, event, endTurn, runs, failed, at: (t: number) => (now = t) };
}

const seqs = (c: { updates: () => { items: { seq: number }[] }[] }) => c.updates().map((u) => u.items.map((i) => i.seq));

describe('the flush clock', () => {
  it('writes an unthrottled session once, at the end of the turn, with all the turn brought', () => {
    const t = setup();
    const c = t.client(0);
    t.event();
    t.event();
    expect(c.got).toEqual([]);
    expect(t.runs).toHaveLength(1);
    t.endTurn();
    expect(seqs(c)).toEqual([[1, 2]]);
  });

  it('flushes a throttle class on its beat, never twice within its throttle', () => {
    const t = setup();
    const c = t.client(100);
    t.event();
    t.clock.tick(t.at(50));
    expect(c.got).toEqual([]);
    t.clock.tick(t.at(100));
    expect(seqs(c)).toEqual([[1]]);
    t.event();
    t.clock.tick(t.at(150));
    expect(seqs(c)).toEqual([[1]]);
    t.clock.tick(t.at(200));
    expect(seqs(c)).toEqual([[1], [2]]);
  });

  it('never writes a forgotten session', () => {
    const t = setup();
    const a = t.client(0);
    const b = t.client(100);
    t.event();
    t.clock.forget(a.session);
    t.clock.forget(b.session);
    t.endTurn();
    t.clock.tick(t.at(1000));
    expect(a.got.length + b.got.length).toBe(0);
  });

  it('hands a session whose flush throws to onFail and writes the others', () => {
    const t = setup();
    const bad = t.client(0, { failOn: 'update' });
    const good = t.client(0);
    t.event();
    t.endTurn();
    expect(t.failed).toEqual([bad.session]);
    expect(seqs(good)).toEqual([[1]]);
  });

  it('retries a gated session on each tick, and writes it what it missed once the gate opens', () => {
    const t = setup();
    const c = t.client(0, { highWater: 10 });
    c.setPending(11);
    t.event();
    t.endTurn();
    expect(c.got).toEqual([]);
    t.event();
    expect(t.runs).toHaveLength(0); // stalled: only the tick brings it back
    c.setPending(0);
    t.clock.tick(t.at(10));
    expect(seqs(c)).toEqual([[1, 2]]);
  });
});

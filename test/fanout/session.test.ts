/**
 * A session's subscriptions (session.ts): a subscription is dirty exactly when it sits in the
 * dirty list, whatever subscribes, marks, drops or flushes it.
 */
import { describe, expect, it } from 'vitest';
import type { Session, Sub } from '../../server/fanout/session.js';
import { StreamRecord } from '../../server/fanout/stream-record.js';
import { bareSession } from '../helpers/hub.js';

const record = (s: string) => {
  const rec = new StreamRecord<Sub>(s, 'ticker');
  rec.reset({ s, ch: 'ticker', seq: 0, epoch: 'e1', d: { last: 0 } });
  return rec;
};
/** The invariant: `sub.dirty` exactly for the subs in `dirty`, each once, all still subscribed. */
const holds = (s: Session) => {
  const listed = new Set(s.dirty);
  expect(listed.size).toBe(s.dirty.length);
  for (const sub of s.subs.values()) expect(sub.dirty).toBe(listed.has(sub));
  for (const sub of s.dirty) expect(s.subs.get(sub.rec.key)).toBe(sub);
};

describe('subscriptions', () => {
  it('subscribes once per stream (attached once), and reschedules a dirty one whose throttle changes', () => {
    const log: string[] = [];
    const { session } = bareSession({ attach: (sub) => void log.push(`attach ${sub.rec.key}`), enqueue: (sub) => void log.push(`enqueue ${sub.throttle}`) });
    const a = record('A');
    const sub = session.subscribe(a, 0);
    expect(session.subscribe(a, 0)).toBe(sub);
    session.markDirty(sub);
    session.markDirty(sub);
    session.subscribe(a, 100);
    expect(log).toEqual(['attach A|ticker', 'enqueue 0', 'enqueue 100']);
    holds(session);
  });

  it('drops subscriptions: out of subs and the dirty list, detached once', () => {
    const detached: string[] = [];
    const { session } = bareSession({ detach: (sub) => void detached.push(sub.rec.key) });
    const [a, b, c] = ['A', 'B', 'C'].map((x) => session.subscribe(record(x), 0));
    for (const sub of [a, b, c]) session.markDirty(sub);
    session.drop([a, c, a]);
    expect(detached).toEqual(['A|ticker', 'C|ticker']);
    expect(session.dirty).toEqual([b]);
    expect([a.dirty, b.dirty, c.dirty]).toEqual([false, true, false]);
    holds(session);
    session.drop(session.subs.values());
    expect(session.subs.size + session.dirty.length).toBe(0);
  });

  it('keeps the rule through a flush: due subs leave the list, the others stay', () => {
    const { session } = bareSession();
    const fast = session.subscribe(record('A'), 0);
    const slow = session.subscribe(record('B'), 100);
    for (const sub of [fast, slow]) sub.rec.apply({ s: sub.rec.s, ch: 'ticker', seq: 1, d: { last: 1 } }), session.markDirty(sub);
    const kept: Sub[] = [];
    expect(session.flush(0, (t) => t === 0, (sub) => void kept.push(sub))).toBe('sent');
    expect(session.dirty).toEqual([slow]);
    expect(kept).toEqual([slow]);
    holds(session);
  });
});

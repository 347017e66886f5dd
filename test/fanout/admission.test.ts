/** Admission of control messages (admission.ts): the rate limit, validation, one at a time in order. */
import { describe, expect, it } from 'vitest';
import type { ClientMessage, ServerMessage } from '../../shared/protocol.js';
import { Admission } from '../../server/fanout/admission.js';
import type { Session } from '../../server/fanout/session.js';
import { bareSession, msg } from '../helpers/hub.js';

function setup(rate: number, handle: (s: Session, m: ClientMessage, reply: (r: ServerMessage) => void) => void | Promise<void> = (_s, m, reply) => reply({ type: 'pong', ...(m.id !== undefined ? { id: m.id } : {}), t: 0 }), turn?: () => Promise<void>) {
  let now = 1_000_000;
  const stats = { rateLimited: 0, forbidden: 0 };
  const closed: Session[] = [];
  const logs: string[] = [];
  const infos: unknown[] = [];
  const a = new Admission({ rate, now: () => now, stats, handle, close: (s) => void closed.push(s), log: (m) => void logs.push(m), info: (obj) => void infos.push(obj), turn });
  const c = bareSession();
  a.open(c.session);
  const replies: ServerMessage[] = [];
  const send = (value: object) => a.receive(c.session, msg(value), (m) => void replies.push(m));
  return { a, c, send, replies, stats, closed, logs, infos, advance: (ms: number) => (now += ms) };
}

/** Lets the queued steps' promise chains run (microtasks only: no turn is given here). */
const settle = async () => {
  for (let k = 0; k < 10; k++) await Promise.resolve();
};

describe('admission', () => {
  it('starts every step on a turn, never in the frame\'s own callback, and says whether the message was refused', async () => {
    const turns: (() => void)[] = [];
    const t = setup(1, undefined, () => new Promise<void>((r) => void turns.push(r)));
    const sent = [0, 1, 2].map((i) => t.send({ type: 'ping', id: i }));
    await settle();
    expect(t.replies).toEqual([]); // admitted (two) and refused (one) alike wait for a turn
    expect(turns).toHaveLength(1); // one step at a time per session
    for (let i = 0; i < 3; i++) {
      turns.shift()!();
      await settle();
    }
    expect(await Promise.all(sent)).toEqual([false, false, true]);
    expect(t.replies.map((m) => m.type)).toEqual(['pong', 'pong', 'error']);
  });

  it('answers unavailable past 2 x rate steps waiting, at once and without counting a refusal', async () => {
    const turns: (() => void)[] = [];
    const t = setup(2, undefined, () => new Promise<void>((r) => void turns.push(r)));
    // The bucket holds 4; the steps wait for turns not given yet: the 5th finds 4 waiting.
    const sent = [0, 1, 2, 3].map((i) => t.send({ type: 'ping', id: i }));
    t.advance(10_000); // the bucket refills: only the steps waiting bound it now
    expect(await t.send({ type: 'ping', id: 4 })).toBe(false);
    expect(t.replies).toEqual([expect.objectContaining({ type: 'error', code: 'unavailable', id: 4 })]);
    expect(t.stats.rateLimited).toBe(0);
    for (let i = 0; i < 4; i++) {
      await settle();
      turns.shift()!();
    }
    await Promise.all(sent);
    expect(t.replies.slice(1).map((m) => (m as { id?: number }).id)).toEqual([0, 1, 2, 3]);
  });

  it('admits a burst of twice the rate, refuses past it (reported on the first and every rate-th), and refills', async () => {
    const t = setup(5);
    let refused = true;
    for (let i = 0; i < 10; i++) refused = await t.send({ type: 'ping', id: i });
    expect(refused).toBe(false);
    for (let i = 10; i < 15; i++) refused = await t.send({ type: 'ping', id: i });
    expect(t.replies.slice(10).map((m) => (m as { code?: string }).code)).toEqual(['rate_limited', 'rate_limited']);
    expect(t.stats.rateLimited).toBe(5);
    expect(refused).toBe(true);
    t.advance(1000);
    refused = await t.send({ type: 'ping', id: 99 });
    expect(t.replies.at(-1)).toMatchObject({ type: 'pong', id: 99 });
    expect(refused).toBe(false);
  });

  it('closes for refusals only after the messages admitted before them are handled, and takes nothing after', async () => {
    const turns: (() => void)[] = [];
    const t = setup(2, undefined, () => new Promise<void>((r) => void turns.push(r)));
    // A burst in one read: 4 admitted, 5 refused (the 5th past 2 x rate: close), then 2 more.
    const sent = Array.from({ length: 11 }, (_, i) => t.send({ type: 'ping', id: i }));
    expect(t.c.closes).toEqual([]); // not yet: the admitted four wait for their turns
    while (turns.length || t.c.closes.length === 0) {
      await settle();
      turns.shift()?.();
    }
    expect(await Promise.all(sent)).toEqual([false, false, false, false, true, true, true, true, true, true, true]);
    expect(t.replies.filter((m) => m.type === 'pong').map((m) => (m as { id?: number }).id)).toEqual([0, 1, 2, 3]);
    expect(t.c.closes).toEqual([1008]);
    expect(t.closed).toEqual([t.c.session]);
    expect(t.stats.rateLimited).toBe(5); // the two after the close were not taken at all
  });

  it('closes a client that keeps going past 2 x rate refusals (1008)', async () => {
    const t = setup(2);
    for (let i = 0; i < 4 + 5; i++) await t.send({ type: 'ping' });
    expect(t.c.closes).toEqual([1008]);
    expect(t.closed).toEqual([t.c.session]);
    expect(t.c.got.at(-1)).toMatchObject({ type: 'error', code: 'rate_limited' });
  });

  it('answers bad input with bad_request (id kept when readable) and handles messages one at a time, in order', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const t = setup(1e6, async (_s, m, reply) => {
      order.push(`start ${m.id}`);
      if (m.id === 1) await gate;
      order.push(`end ${m.id}`);
      reply({ type: 'pong', id: m.id, t: 0 });
    });
    const first = t.send({ type: 'ping', id: 1 });
    const bad = t.send({ type: 'subscribe', id: 2, symbols: 'AAA' });
    const third = t.send({ type: 'ping', id: 3 });
    await Promise.resolve();
    expect(order).toEqual(['start 1']);
    release();
    await Promise.all([first, bad, third]);
    expect(order).toEqual(['start 1', 'end 1', 'start 3', 'end 3']);
    expect(t.replies.map((m) => [m.type, (m as { id?: number }).id])).toEqual([['pong', 1], ['error', 2], ['pong', 3]]);
    await t.a.receive(t.c.session, { ok: false, error: 'not MessagePack' }, (m) => void t.replies.push(m));
    expect(t.replies.at(-1)).toMatchObject({ type: 'error', code: 'bad_request', message: 'not MessagePack' });
  });

  it('answers a step that throws with bad_request, logs it, and goes on', async () => {
    const t = setup(1e6, (_s, m, reply) => {
      if (m.id === 1) throw new Error('boom');
      reply({ type: 'pong', id: m.id, t: 0 });
    });
    await t.send({ type: 'ping', id: 1 });
    await t.send({ type: 'ping', id: 2 });
    expect(t.replies.map((m) => [m.type, (m as { id?: number }).id])).toEqual([['error', 1], ['pong', 2]]);
    expect(t.logs.join()).toMatch(/control step failed: Error: boom/);
  });

  it('counts every forbidden refusal and logs at most one line a second', () => {
    const t = setup(1e6);
    for (let i = 0; i < 3; i++) t.a.forbidden(t.c.session, { symbols: ['X'] });
    t.advance(1000);
    t.a.forbidden(t.c.session, { symbols: ['X'] });
    expect(t.stats.forbidden).toBe(4);
    expect(t.infos).toEqual([{ session: 's1', sub: undefined, symbols: ['X'] }, { session: 's1', sub: undefined, symbols: ['X'], suppressed: 2 }]);
  });
});

/** What the hub offers the roles and metrics (hub.ts): delay observers, the market clock in hello, the rate-limit answer, closing. */
import { describe, expect, it } from 'vitest';
import { msg, testHub } from '../helpers/hub.js';
import { until } from '../helpers/wait.js';

function setup(rate = 1e6) {
  let seq = 0;
  const t = testHub({
    source: { isSymbol: () => true, snapshot: (s, ch) => ({ s, ch, seq, epoch: 'e1', d: { last: 0, ts: 0 } }) },
    limits: { symbols: 10, throttle: { min: 0, max: 60000 }, rate, payload: 65536 },
  });
  /** One event whose `ts` is `ts` (feed time). */
  const event = (ts: number) => t.hub.publish([{ s: 'A', ch: 'ticker', seq: ++seq, d: { last: seq, ts } }]);
  return { ...t, event };
}

describe('the hub', () => {
  it('reports the fan-out delay to every observer after an unthrottled flush, until removed or ignored', async () => {
    const t = setup();
    const c = t.client();
    await t.hub.receive(c.session, msg({ type: 'subscribe', symbols: ['A'] }));
    const a: number[] = [];
    const b: number[] = [];
    t.hub.onDelay((ms) => void a.push(ms));
    const removeB = t.hub.onDelay((ms) => void b.push(ms));
    t.event(t.now() - 7);
    await until('a delay observed', () => a.length === 1);
    expect([a, b]).toEqual([[7], [7]]);
    removeB();
    t.event(t.now() - 3);
    await until('a second delay', () => a.length === 2);
    expect([a, b]).toEqual([[7, 3], [7]]);
    t.hub.ignoreDelay();
    t.event(t.now());
    await until('the update written', () => c.updates().length === 3);
    expect(a).toHaveLength(2);
  });

  it('puts the market clock set by the role into hello, per session, and takes it away', () => {
    const t = setup();
    const c = t.client();
    expect('clock' in t.hub.hello(c.session)).toBe(false);
    const clock = { state: 'paused', speed: 1, at: 42 } as const;
    t.hub.setClock((s) => ({ ...clock, control: s === c.session }) as never);
    expect(t.hub.hello(c.session).clock).toEqual({ ...clock, control: true });
    t.hub.setClock(undefined);
    expect('clock' in t.hub.hello(c.session)).toBe(false);
  });

  it('answers whether a session\'s latest message was refused for rate', async () => {
    const t = setup(1);
    const c = t.client();
    await t.hub.receive(c.session, msg({ type: 'ping' }));
    expect(await t.hub.receive(c.session, msg({ type: 'ping' }))).toBe(false);
    expect(await t.hub.receive(c.session, msg({ type: 'ping' }))).toBe(true);
    expect(t.hub.stats.rateLimited).toBe(1);
  });

  it('logs a session\'s failed flush where setLog says, closing it 1011', async () => {
    const t = setup();
    const lines: string[] = [];
    t.hub.setLog((m) => void lines.push(m), () => {});
    const c = t.client({ failOn: 'update' });
    await t.hub.receive(c.session, msg({ type: 'subscribe', symbols: ['A'] }));
    t.event(0);
    await until('the session closed', () => c.closes.length > 0);
    expect(c.closes).toEqual([1011]);
    expect(lines.join()).toMatch(/flush failed, closing it: Error: boom/);
  });

  it('frees a closed session\'s subscriptions and stops writing to it', async () => {
    const t = setup();
    const c = t.client();
    await t.hub.receive(c.session, msg({ type: 'subscribe', symbols: ['A', 'B'] }));
    expect(t.hub.held('A')).toBe(true);
    t.hub.close(c.session);
    expect([t.hub.held('A'), t.hub.held('B'), c.session.subs.size, t.hub.sessions.size, t.hub.stats.sessions]).toEqual([false, false, 0, 0, 0]);
    const before = c.got.length;
    t.event(0);
    t.hub.beat(t.advance(120_000));
    expect(c.got.length).toBe(before);
  });
});

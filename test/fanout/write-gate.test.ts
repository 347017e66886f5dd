/**
 * The hub without sockets (a recording Transport whose pending bytes the test sets): the one
 * write gate (write-gate.ts), snapshot caps, pruning of idle records, a failing flush, a bus
 * that does not answer.
 */
import { until } from '../helpers/wait.js';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../shared/protocol.js';
import type { StateSource } from '../../server/fanout/state-source.js';
import type { StreamSnapshot } from '../../server/market/stream-event.js';
import { msg, testHub, type RecorderOptions } from '../helpers/hub.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];
const HIGH = 10_000;

function setup(source: Partial<StateSource> = {}, o: { controlTimeoutMs?: number } = {}) {
  const seq = new Map<string, number>();
  const logs: string[] = [];
  const snap = (s: string, ch: Channel): StreamSnapshot | undefined =>
    SYMBOLS.includes(s) ? { s, ch, seq: seq.get(`${s}|${ch}`) ?? 0, epoch: 'e1', d: ch === 'trades' ? [] : { last: 1, ts: 0 } } : undefined;
  const { hub, client: open, advance, now } = testHub({
    source: { isSymbol: (s) => SYMBOLS.includes(s), snapshot: snap, ...source },
    limits: { symbols: 2, throttle: { min: 0, max: 60000 }, rate: 1e6, payload: 65536 },
    heartbeatMs: 100,
    policy: { highWater: HIGH, graceMs: 500, snapshotTrades: 50 },
    recordLingerMs: 1000,
    log: (m) => void logs.push(m),
    ...o,
  });
  const client = (failOn?: RecorderOptions['failOn']) => open({ failOn });
  const event = (s: string, ch: Channel) => {
    const k = `${s}|${ch}`;
    const n = (seq.get(k) ?? 0) + 1;
    seq.set(k, n);
    hub.publish([{ s, ch, seq: n, d: { last: n, ts: n } }]);
  };
  return { hub, client, event, logs, advance, now };
}

const settle = () => new Promise<void>((r) => setImmediate(r));

describe('the write gate', () => {
  it('queues nothing past SLOW_CONSUMER_BYTES (snapshots, replies, heartbeats), then cuts with the one slow_consumer error', async () => {
    const t = setup();
    const c = t.client();
    await t.hub.receive(c.session, msg({ type: 'subscribe', symbols: ['AAA'] }));
    const before = c.got.length;
    c.setPending(HIGH + 1);
    for (let i = 0; i < 20; i++) await t.hub.receive(c.session, msg({ type: 'snapshot', id: i, symbols: ['AAA', 'BBB'] }));
    await t.hub.receive(c.session, msg({ type: 'ping', id: 99 }));
    t.hub.beat(t.advance(200));
    expect(c.got.length).toBe(before);
    expect(c.session.pending.length).toBeLessThanOrEqual(16);
    t.hub.beat(t.advance(400));
    expect(c.got.slice(before)).toEqual([expect.objectContaining({ type: 'error', code: 'slow_consumer' })]);
    expect(c.closes).toEqual([1013]);
    expect(t.hub.sessions.size).toBe(0);
    expect(t.hub.stats.slowConsumers).toBe(1);
  });

  it('lets a client that drains in time have what was held: replies, then a snapshot of what it owed', async () => {
    const t = setup();
    const c = t.client();
    await t.hub.receive(c.session, msg({ type: 'subscribe', symbols: ['AAA'] }));
    c.setPending(HIGH + 1);
    await t.hub.receive(c.session, msg({ type: 'snapshot', id: 1, symbols: ['AAA'] }));
    await t.hub.receive(c.session, msg({ type: 'ping', id: 2 }));
    t.event('AAA', 'ticker');
    await settle();
    const before = c.got.length;
    c.setPending(0);
    t.hub.tick(t.advance(20));
    const got = c.got.slice(before);
    expect(got.map((m) => m.type)).toEqual(['pong', 'snapshot']);
    expect((got[1] as { items: { seq: number }[] }).items[0].seq).toBe(1);
    t.event('AAA', 'ticker');
    await settle();
    expect(c.got.at(-1)).toMatchObject({ type: 'update', items: [{ prev: 1, seq: 2 }] });
  });

  it('caps snapshot requests at limits.symbols, refusing the rest with limit_exceeded, and shares snapshot bytes', async () => {
    const t = setup();
    const a = t.client();
    const b = t.client();
    await t.hub.receive(a.session, msg({ type: 'snapshot', id: 4, symbols: SYMBOLS }));
    expect(a.got.find((m) => m.type === 'error')).toMatchObject({ id: 4, code: 'limit_exceeded', symbols: ['CCC', 'DDD'] });
    expect((a.got.find((m) => m.type === 'snapshot') as { items: unknown[] }).items).toHaveLength(2);
    await t.hub.receive(b.session, msg({ type: 'snapshot', symbols: ['AAA'] }));
    const recA = t.hub.streams.existing('AAA', 'ticker')!;
    expect(recA.snapEnc[0]).toBeDefined();
  });

  it('refuses over-long symbols without a lookup and echoes them cut to 32 characters', async () => {
    let looked = 0;
    const t = setup({ isSymbol: (s) => (looked++, SYMBOLS.includes(s)) });
    const c = t.client();
    const long = 'Z'.repeat(5000);
    await t.hub.receive(c.session, msg({ type: 'subscribe', id: 5, symbols: [long] }));
    expect(c.got.at(-1)).toMatchObject({ type: 'error', id: 5, code: 'unknown_symbol', symbols: ['Z'.repeat(32)] });
    expect(looked).toBe(0);
  });
});

describe('robustness', () => {
  it('drops a stream record nobody subscribes to after the linger', async () => {
    const t = setup();
    const c = t.client();
    await t.hub.receive(c.session, msg({ type: 'snapshot', symbols: ['AAA'] }));
    await t.hub.receive(c.session, msg({ type: 'subscribe', symbols: ['BBB'] }));
    expect(t.hub.streams.size).toBe(2);
    t.hub.beat(t.advance(500));
    expect(t.hub.streams.size).toBe(2);
    t.hub.beat(t.advance(600));
    expect(t.hub.streams.size).toBe(1);
    expect(t.hub.streams.existing('BBB', 'ticker')).toBeDefined();
    await t.hub.receive(c.session, msg({ type: 'unsubscribe', symbols: ['BBB'] }));
    t.hub.beat(t.advance(1001));
    expect(t.hub.streams.size).toBe(0);
  });

  it('closes a session whose flush throws (1011, logged) and keeps flushing the others', async () => {
    const t = setup();
    const bad = t.client('update');
    const good = t.client();
    for (const c of [bad, good]) await t.hub.receive(c.session, msg({ type: 'subscribe', symbols: ['AAA'] }));
    const updates = () => good.got.filter((m) => m.type === 'update').length;
    t.event('AAA', 'ticker');
    // The failed flush (and its log line) may end the slice: the good session then flushes in the next.
    await until('the good session flushed', () => updates() === 1);
    expect(bad.closes).toEqual([1011]);
    expect(t.logs.join('\n')).toMatch(/flush failed/);
    expect(t.hub.sessions.size).toBe(1);
    for (let i = 2; i <= 4; i++) {
      t.event('AAA', 'ticker');
      await until(`update ${i}`, () => updates() === i);
    }
    await settle();
    expect(updates()).toBe(4);
  });

  it('answers unavailable when the bus does not answer in time, and answers later messages', async () => {
    const t = setup({ prepare: () => new Promise<void>(() => {}) }, { controlTimeoutMs: 50 });
    const c = t.client();
    const slow = t.hub.receive(c.session, msg({ type: 'subscribe', id: 1, symbols: ['AAA'] }));
    const next = t.hub.receive(c.session, msg({ type: 'ping', id: 2 }));
    await Promise.all([slow, next]);
    expect(c.got.map((m) => [m.type, (m as { id?: number }).id, (m as { code?: string }).code])).toEqual([
      ['error', 1, 'unavailable'],
      ['pong', 2, undefined],
    ]);
  });

  it('sends a snapshot, never an update, when a stream resyncs to a new epoch at a lower seq', async () => {
    const t = setup();
    const c = t.client();
    await t.hub.receive(c.session, msg({ type: 'subscribe', symbols: ['AAA'] }));
    for (let i = 0; i < 5; i++) t.event('AAA', 'ticker');
    await settle();
    t.hub.resync({ s: 'AAA', ch: 'ticker', seq: 2, epoch: 'e2', d: { last: 7, ts: 1 } });
    await settle();
    expect(c.got.at(-1)).toMatchObject({ type: 'snapshot', items: [{ seq: 2, epoch: 'e2' }] });
  });

  it('rounds throttles to the served steps', () => {
    const t = setup();
    expect([0, -1, 1, 10, 11, 99, 180, 250, 251, 301, 4000, 59_000, 1e9].map((x) => t.hub.roundThrottle(x))).toEqual([0, 0, 10, 10, 20, 100, 200, 250, 300, 500, 5000, 60000, 60000]);
  });
});

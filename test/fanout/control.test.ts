/**
 * The control handlers (control.ts and the handlers beside it) through a fake ControlPort: no
 * hub, no source, no socket. Records come straight from a snapshot; the session is real, its
 * hooks recorded, so what each handler subscribes, drops and schedules is visible.
 */
import { describe, expect, it } from 'vitest';
import type { Channel, ClientMessage, ServerMessage } from '../../shared/protocol.js';
import { createAuthenticator, type Authenticator } from '../../server/auth/authenticator.js';
import { handleControl } from '../../server/fanout/control.js';
import { Unavailable, type ControlPort } from '../../server/fanout/control-port.js';
import type { Recovery } from '../../server/history/stream-history.js';
import type { Sub } from '../../server/fanout/session.js';
import { StreamRecord } from '../../server/fanout/stream-record.js';
import { SliceBudget } from '../../server/fanout/turns.js';
import { bareSession, TEST_LIMITS } from '../helpers/hub.js';
import { mintToken, TEST_JWT_SECRET } from '../helpers/jwt.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC'];

function setup(o: { recover?: (seq: number) => Recovery; prepare?: ControlPort['prepare']; auth?: Authenticator; sliceMax?: number } = {}) {
  const recs = new Map<string, StreamRecord<Sub>>();
  const log = { attached: [] as string[], detached: [] as string[], enqueued: [] as string[], cutoffs: [] as (number | undefined)[], forbidden: 0 };
  const port: ControlPort = {
    limits: { ...TEST_LIMITS, symbols: 2 },
    now: () => 1000,
    isSymbol: (s) => SYMBOLS.includes(s),
    roundThrottle: (ms) => Math.max(0, ms),
    prepare: o.prepare ?? (() => undefined),
    record(s: string, ch: Channel) {
      let rec = recs.get(`${s}|${ch}`);
      if (!rec) {
        rec = new StreamRecord<Sub>(s, ch);
        rec.reset({ s, ch, seq: 10, epoch: 'e1', d: ch === 'trades' ? [] : { last: 1, ts: 1 } });
        recs.set(rec.key, rec);
      }
      return rec;
    },
    recover: (p) => o.recover?.(p.seq) ?? { ok: false },
    auth: o.auth,
    setCutoff: (_s, at) => void log.cutoffs.push(at),
    stats: { recovered: 0, unrecovered: 0 },
    forbidden: () => void log.forbidden++,
    turn: () => Promise.resolve(),
    budget: () => new SliceBudget(() => 0, 4, 1, o.sliceMax ?? 2000),
  };
  const { session, got: written } = bareSession({
    enqueue: (sub) => void log.enqueued.push(sub.rec.key),
    attach: (sub) => void log.attached.push(sub.rec.key),
    detach: (sub) => void log.detached.push(sub.rec.key),
  });
  const replies: ServerMessage[] = [];
  const send = (m: ClientMessage) => handleControl(port, session, m, (r) => void replies.push(r));
  return { port, session, send, replies, written, log, recs };
}

const brief = (ms: ServerMessage[]) => ms.map((m) => [m.type, (m as { code?: string }).code].filter(Boolean).join(':'));

describe('subscribe', () => {
  it('answers subscribed, then writes the snapshots and subscribes each stream as it does', async () => {
    const t = setup();
    await t.send({ type: 'subscribe', id: 1, symbols: ['AAA'], channels: ['ticker', 'trades'], throttle: 100 });
    expect(t.replies).toEqual([expect.objectContaining({ type: 'subscribed', id: 1, symbols: ['AAA'], channels: ['ticker', 'trades'], throttle: 100 })]);
    expect(t.written.map((m) => m.type)).toEqual(['snapshot']);
    expect(t.log.attached).toEqual(['AAA|ticker', 'AAA|trades']);
    expect([...t.session.subs.values()].map((s) => [s.rec.key, s.throttle, s.sent])).toEqual([['AAA|ticker', 100, 10], ['AAA|trades', 100, 10]]);
  });

  it('refuses symbols past limits.symbols and unknown names after its answer, taking the good part', async () => {
    const t = setup();
    await t.send({ type: 'subscribe', id: 2, symbols: ['AAA', 'ZZZ', 'BBB', 'CCC'], channels: ['ticker', 'nope'] });
    expect(brief(t.replies)).toEqual(['subscribed', 'error:unknown_symbol', 'error:unknown_channel', 'error:limit_exceeded']);
    expect(t.replies[0]).toMatchObject({ symbols: ['AAA', 'BBB'] });
    expect(t.replies.at(-1)).toMatchObject({ symbols: ['CCC'] });
  });

  it('answers unavailable and subscribes nothing when the source does not answer', async () => {
    const t = setup({ prepare: () => Promise.reject(new Unavailable('x')) });
    await t.send({ type: 'subscribe', id: 3, symbols: ['AAA'] });
    expect(brief(t.replies)).toEqual(['error:unavailable']);
    expect(t.session.subs.size).toBe(0);
  });

  it('decides positions before subscribed: current seq recovered, another epoch unrecovered (snapshot), history item sent', async () => {
    const t = setup({ recover: (seq) => (seq === 7 ? { ok: true, item: { ch: 'ticker', s: 'BBB', seq: 9, prev: 7, d: { last: 2 } } } : { ok: false }) });
    await t.send({
      type: 'subscribe',
      symbols: ['AAA', 'BBB'],
      since: [
        { s: 'AAA', ch: 'ticker', epoch: 'e1', seq: 10 },
        { s: 'BBB', ch: 'ticker', epoch: 'e1', seq: 7 },
      ],
    });
    expect(t.replies[0]).toMatchObject({ type: 'subscribed', recovered: [{ s: 'AAA', ch: 'ticker' }, { s: 'BBB', ch: 'ticker' }], unrecovered: [] });
    expect(t.port.stats).toEqual({ recovered: 2, unrecovered: 0 });
    expect(t.written).toEqual([expect.objectContaining({ type: 'update', items: [{ ch: 'ticker', s: 'BBB', seq: 9, prev: 7, d: { last: 2 } }] })]);
    // The record is at 10, the history answered up to 9: BBB's subscription has news at once.
    expect(t.session.dirty.map((s) => s.rec.key)).toEqual(['BBB|ticker']);
    expect(t.log.enqueued).toEqual(['BBB|ticker']);

    const u = setup();
    await u.send({ type: 'subscribe', symbols: ['AAA'], since: [{ s: 'AAA', ch: 'ticker', epoch: 'old', seq: 10 }] });
    expect(u.replies[0]).toMatchObject({ recovered: [], unrecovered: [{ s: 'AAA', ch: 'ticker' }] });
    expect(u.written.map((m) => m.type)).toEqual(['snapshot']);
  });

  it('builds a large request in parts, one snapshot frame per slice (a slice ends between symbols)', async () => {
    const t = setup({ sliceMax: 1 });
    await t.send({ type: 'subscribe', symbols: ['AAA', 'BBB'], channels: ['ticker', 'trades'] });
    expect(t.written.map((m) => (m as { items: { s: string }[] }).items.map((i) => i.s))).toEqual([['AAA', 'AAA'], ['BBB', 'BBB']]);
    expect(t.session.subs.size).toBe(4);
  });
});

describe('unsubscribe', () => {
  it('drops the streams named (default: every channel held), detached and out of the dirty list', async () => {
    const t = setup();
    await t.send({ type: 'subscribe', symbols: ['AAA', 'BBB'], channels: ['ticker', 'trades'] });
    for (const sub of t.session.subs.values()) t.session.markDirty(sub);
    await t.send({ type: 'unsubscribe', id: 4, symbols: ['AAA'] });
    expect(t.replies.at(-1)).toMatchObject({ type: 'unsubscribed', id: 4, symbols: ['AAA'], channels: ['ticker', 'trades'] });
    expect(t.log.detached).toEqual(['AAA|ticker', 'AAA|trades']);
    expect([...t.session.subs.keys()]).toEqual(['BBB|ticker', 'BBB|trades']);
    expect(t.session.dirty.map((s) => s.rec.key)).toEqual(['BBB|ticker', 'BBB|trades']);
    await t.send({ type: 'unsubscribe', symbols: ['BBB'], channels: ['trades'] });
    expect([...t.session.subs.keys()]).toEqual(['BBB|ticker']);
  });
});

describe('snapshot', () => {
  it('sends the state of at most limits.symbols symbols and subscribes nothing', async () => {
    const t = setup();
    await t.send({ type: 'snapshot', id: 5, symbols: ['AAA', 'BBB', 'CCC'] });
    expect(brief(t.replies)).toEqual(['error:limit_exceeded']);
    expect((t.written[0] as { items: { s: string }[] }).items.map((i) => i.s)).toEqual(['AAA', 'BBB']);
    expect(t.log.attached).toEqual([]);
  });

  it('defaults to the channels held of a subscribed symbol', async () => {
    const t = setup();
    await t.send({ type: 'subscribe', symbols: ['AAA'], channels: ['trades'] });
    await t.send({ type: 'snapshot', symbols: ['AAA'] });
    expect((t.written.at(-1) as { items: { ch: string }[] }).items.map((i) => i.ch)).toEqual(['trades']);
  });
});

describe('ping and refresh', () => {
  it('answers ping with pong echoing t', async () => {
    const t = setup();
    await t.send({ type: 'ping', id: 6, t: 42 });
    expect(t.replies).toEqual([{ type: 'pong', id: 6, echo: 42, t: 1000 }]);
  });

  it('refuses refresh when the server takes no tokens', async () => {
    const t = setup();
    await t.send({ type: 'refresh', id: 7, token: 'x' });
    expect(brief(t.replies)).toEqual(['error:bad_request']);
  });

  it('takes a token of the same sub: moves the cutoff, drops what it no longer covers with forbidden', async () => {
    const auth = createAuthenticator({ tokens: [], jwtSecret: TEST_JWT_SECRET });
    const t = setup({ auth });
    const first = await auth.authenticate(await mintToken({ sub: 'ann', symbols: ['AAA', 'BBB'] }));
    if (!first.ok) throw new Error(first.message);
    t.session.principal = first.principal;
    await t.send({ type: 'subscribe', symbols: ['AAA', 'BBB'] });
    await t.send({ type: 'refresh', id: 8, token: 'not a token' });
    expect(brief(t.replies.slice(1))).toEqual(['error:unauthorized']);
    await t.send({ type: 'refresh', id: 9, token: await mintToken({ sub: 'ann', symbols: ['AAA'] }) });
    expect(brief(t.replies.slice(2))).toEqual(['refreshed', 'error:forbidden']);
    expect(t.log.detached).toEqual(['BBB|ticker']);
    expect([...t.session.subs.keys()]).toEqual(['AAA|ticker']);
    expect(t.log.cutoffs).toHaveLength(1);
    expect(t.log.forbidden).toBe(1);
  });
});

/**
 * A replaying node (ROLE=all, FEED=replay) with real WebSocket and SSE clients: hello.clock,
 * pause / resume / speed / seek and their `clock` messages on both transports, a new epoch
 * (snapshot) for live subscriptions on a seek and on a loop, the end, GET/POST /api/replay errors.
 */
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayNode } from '../../server/node/replay-node.js';
import type { ClockMsg, ServerMessage, SnapshotItem } from '../../shared/protocol.js';
import { RawClient } from '../helpers/node.js';
import { T0_MS } from './fixtures.js';
import { startReplay, writeMinute } from './replay-node.js';
import { sleep, until } from '../helpers/wait.js';

type Msg<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** An EventSource recording the protocol's events, `clock` included. */
class SseClient {
  readonly es: EventSource;
  readonly messages: ServerMessage[] = [];
  constructor(url: string) {
    this.es = new EventSource(url);
    for (const type of ['hello', 'snapshot', 'update', 'clock', 'subscribed']) {
      this.es.addEventListener(type, (ev: MessageEvent) => {
        if (typeof ev.data === 'string') this.messages.push(JSON.parse(ev.data) as ServerMessage);
      });
    }
  }
  async next<T extends ServerMessage['type']>(type: T, pred: (m: Msg<T>) => boolean = () => true, timeoutMs = 10_000): Promise<Msg<T>> {
    const m = await until(`a ${type}`, () => this.messages.find((x) => x.type === type && pred(x as Msg<T>)), timeoutMs, 20);
    return m as Msg<T>;
  }
}

const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${url}/api/replay`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const epochOf = (snap: Msg<'snapshot'>, ch: string): string | undefined => snap.items.find((i: SnapshotItem) => i.ch === ch)?.epoch;

describe('replay over WebSocket and SSE', () => {
  let run: { node: ReplayNode; url: string };
  let ws: RawClient;
  let sse: SseClient;
  beforeAll(async () => {
    run = await startReplay({ REPLAY_FILES: writeMinute(), REPLAY_SPEED: '1' });
    ws = await RawClient.open(run.url.replace('http', 'ws') + '/ws');
    sse = new SseClient(`${run.url}/sse?symbols=BTCUSD&channels=ticker,trades`);
    await sse.next('hello');
  });
  afterAll(async () => {
    ws?.close();
    sse?.es.close();
    await run?.node.close();
  });

  it('says in hello that the market is a replay, and who may control it', async () => {
    const hello = ws.messages[0] as Msg<'hello'>;
    expect(hello.minor).toBe(2);
    expect(hello.clock).toMatchObject({ mode: 'replay', speed: 1, paused: false, ended: false, from: T0_MS, to: T0_MS + 60_000 + 0.001, control: true });
    const h = await sse.next('hello');
    expect(h.clock).toMatchObject({ mode: 'replay', control: true });
    const symbols = (await (await fetch(`${run.url}/api/symbols`)).json()) as Record<string, unknown>[];
    expect(symbols).toEqual([{ symbol: 'BTCUSD', name: 'BTCUSD (deribit)', kind: 'crypto', decimals: 1, tickSize: 0.1, currency: 'USD', sizeDecimals: 1, exchange: 'deribit', source: 'replay' }]);
  });

  it('pauses, changes speed, resumes: every connection gets the clock, market time stands still while paused', async () => {
    ws.send({ type: 'subscribe', id: 1, symbols: ['BTCUSD'], channels: ['ticker', 'trades', 'book'] });
    const first = await ws.next('snapshot');
    const paused = await post(run.url, { action: 'pause' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ mode: 'replay', paused: true, control: true });
    const wc = await ws.next('clock', (m) => m.paused);
    const sc = await sse.next('clock', (m) => m.paused);
    expect(wc.at).toBe(paused.body.at);
    expect(sc.at).toBe(paused.body.at);
    const again = (await (await fetch(`${run.url}/api/replay`)).json()) as ClockMsg;
    expect(again.at).toBe(paused.body.at);
    const fast = await post(run.url, { action: 'speed', speed: 10 });
    expect(fast.body).toMatchObject({ speed: 10, paused: true });
    await ws.next('clock', (m) => m.speed === 10);
    const resumed = await post(run.url, { action: 'resume' });
    expect(resumed.body).toMatchObject({ speed: 10, paused: false });
    await sse.next('clock', (m) => !m.paused && m.speed === 10);
    // market time runs again, ten times the wall clock
    const t0 = Date.now();
    await ws.next('update', (m) => m.items.some((i) => i.ch === 'trades' && (i.d as { ts: number }[]).some((tr) => tr.ts > (resumed.body.at as number) + 500)));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(epochOf(first, 'ticker')).toBeDefined();
  });

  it('seeks forward and back: new epochs, snapshots of them, trades up to the seek applied, the clock sent', async () => {
    const before = ws.of('snapshot').length;
    const oldEpoch = epochOf(ws.of('snapshot')[0]!, 'trades');
    const at = T0_MS + 45_000;
    const fwd = await post(run.url, { action: 'seek', at });
    expect(fwd.status).toBe(200);
    expect(fwd.body.at).toBeGreaterThanOrEqual(at);
    await ws.next('clock', (m) => m.at >= at && m.at < at + 5000);
    const snap = await ws.next('snapshot', (m) => ws.of('snapshot').indexOf(m) >= before && epochOf(m, 'trades') !== oldEpoch);
    const trades = snap.items.find((i) => i.ch === 'trades')!.d as { ts: number; xid: string }[];
    expect(trades.at(-1)!.ts).toBeLessThan(at + 5000);
    expect(trades.at(-1)!.ts).toBeGreaterThan(at - 1000);
    expect(trades.at(-1)!.xid).toMatch(/^x\d+$/);
    await sse.next('snapshot', (m) => epochOf(m, 'trades') !== undefined && epochOf(m, 'trades') === epochOf(snap, 'trades'));

    const back = T0_MS + 5_000;
    const res = await post(run.url, { action: 'seek', at: back });
    expect(res.status).toBe(200);
    const snap2 = await ws.next('snapshot', (m) => epochOf(m, 'trades') !== epochOf(snap, 'trades') && epochOf(m, 'trades') !== oldEpoch);
    const ticker = snap2.items.find((i) => i.ch === 'ticker')!.d as { ts: number };
    expect(ticker.ts).toBeLessThan(back + 5000);
    const book = snap2.items.find((i) => i.ch === 'book')!.d as { bids: number[][] };
    expect(book.bids[0]![0]).toBe(100);
  });

  it('refuses a body that is not an action, and a seek outside the recording', async () => {
    for (const body of ['{', '[]', { action: 'jump' }, { action: 'seek', at: 'x' }, { action: 'speed', speed: 0 }, { action: 'speed', speed: 'fast' }]) {
      const r = await post(run.url, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toMatchObject({ type: 'error', code: 'bad_request' });
    }
    const out = await post(run.url, { action: 'seek', at: T0_MS - 1 });
    expect(out.status).toBe(400);
  });
});

describe('replay ends and loops', () => {
  it('at max without REPLAY_LOOP: the clock ends and the final state stays served', async () => {
    const run = await startReplay({ REPLAY_FILES: writeMinute(), REPLAY_SPEED: 'max' });
    try {
      const ws = await RawClient.open(run.url.replace('http', 'ws') + '/ws');
      const hello = ws.messages[0] as Msg<'hello'>;
      const c = hello.clock?.mode === 'replay' && hello.clock.ended ? hello.clock : await ws.next('clock', (m) => m.ended);
      expect(c).toMatchObject({ ended: true, at: T0_MS + 60_000 + 0.001 });
      const snap = (await (await fetch(`${run.url}/api/snapshot?symbols=BTCUSD&channels=trades`)).json()) as { items: SnapshotItem[] };
      expect((snap.items[0]!.d as { xid: string }[]).at(-1)!.xid).toBe('x600');
      ws.close();
    } finally {
      await run.node.close();
    }
  });

  it('with REPLAY_LOOP=true: starts again with a new epoch, a snapshot for live subscriptions and a clock message', async () => {
    const run = await startReplay({ REPLAY_FILES: writeMinute(), REPLAY_SPEED: '600', REPLAY_LOOP: 'true' });
    try {
      const ws = await RawClient.open(run.url.replace('http', 'ws') + '/ws');
      ws.send({ type: 'subscribe', symbols: ['BTCUSD'], channels: ['trades'] });
      const first = await ws.next('snapshot');
      const loop = await ws.next('clock', (m) => m.at === T0_MS && !m.ended, 15_000);
      expect(loop).toMatchObject({ mode: 'replay', speed: 600, from: T0_MS });
      const again = await ws.next('snapshot', (m) => epochOf(m, 'trades') !== epochOf(first, 'trades'));
      expect(epochOf(again, 'trades')).toBeDefined();
      ws.close();
    } finally {
      await run.node.close();
    }
  });
});

describe('the TypeScript client on a replay', () => {
  it('emits the clock from hello and from clock messages, and tells market now (WebSocket and SSE)', async () => {
    const { MarketClient } = await import('../../shared/client/index.js');
    const { default: WS } = await import('ws');
    const run = await startReplay({ REPLAY_FILES: writeMinute(), REPLAY_SPEED: '1' });
    try {
      for (const transport of ['ws', 'sse'] as const) {
        const client = new MarketClient({ urls: run.url, transport, WebSocket: WS, EventSource });
        const clocks: string[] = [];
        client.on('clock', (c) => clocks.push(c.mode === 'replay' ? (c.paused ? 'paused' : 'playing') : 'live'));
        client.subscribe(['BTCUSD'], { channels: ['trades'] });
        const ages: number[] = [];
        client.on('latency', (s) => s.ageMs !== undefined && ages.push(s.ageMs));
        await until('a clock and an age', () => clocks.length > 0 && ages.length > 0);
        expect(client.clock).toMatchObject({ mode: 'replay', speed: 1, from: T0_MS });
        const now = client.marketNow();
        expect(now).toBeGreaterThanOrEqual(T0_MS);
        expect(now).toBeLessThan(T0_MS + 60_001);
        // data age is market now minus ts: small, although the recording is years old
        expect(Math.max(...ages)).toBeLessThan(5000);
        await post(run.url, { action: 'pause' });
        await until('paused', () => clocks.at(-1) === 'paused');
        const held = client.marketNow();
        await sleep(100); // a window in which a paused market clock may not move
        expect(client.marketNow()).toBe(held);
        await post(run.url, { action: 'resume' });
        await until('playing', () => clocks.at(-1) === 'playing');
        client.close();
      }
    } finally {
      await run.node.close();
    }
  });
});


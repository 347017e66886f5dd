/** The SSE transport against a real server, with a real EventSource client (`eventsource`). */
import { EventSource } from 'eventsource';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../shared/protocol.js';
import { startNode, type Running } from '../helpers/node.js';
import { sleep, until } from '../helpers/wait.js';

type Msg<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
const TYPES = ['hello', 'subscribed', 'unsubscribed', 'snapshot', 'update', 'heartbeat', 'pong', 'error'] as const;

/** An EventSource that records every protocol message, in order. */
class SseClient {
  readonly es: EventSource;
  readonly messages: ServerMessage[] = [];
  readonly #waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];

  constructor(url: string) {
    this.es = new EventSource(url);
    for (const type of TYPES) {
      this.es.addEventListener(type, (ev: MessageEvent) => {
        if (typeof ev.data !== 'string') return; // the EventSource's own 'error'
        const m = JSON.parse(ev.data) as ServerMessage;
        expect(m.type).toBe(type);
        this.messages.push(m);
        for (const w of [...this.#waiters]) if (w.match(m)) this.#waiters.splice(this.#waiters.indexOf(w), 1), w.resolve(m);
      });
    }
  }

  next<T extends ServerMessage['type']>(type: T, pred: (m: Msg<T>) => boolean = () => true, timeoutMs = 10_000): Promise<Msg<T>> {
    const match = (m: ServerMessage) => m.type === type && pred(m as Msg<T>);
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen as Msg<T>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m as Msg<T>)) });
    });
  }

  of<T extends ServerMessage['type']>(type: T): Msg<T>[] {
    return this.messages.filter((m) => m.type === type) as Msg<T>[];
  }
}

let run: Running;
beforeAll(async () => {
  // No per-IP connection limits: the leak test opens 100 streams in well under a second.
  run = await startNode({ FEED_RATE: '20', FEED_SYMBOLS: '20', HEARTBEAT_MS: '500', LIMIT_NEW_CONNECTIONS: '0', LIMIT_CONNECTIONS_PER_IP: '0' });
});
afterAll(() => run.close());

const post = async (path: string, body: string, type = 'application/json') => {
  const res = await fetch(run.url + path, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: res.status, body: (await res.json()) as ServerMessage };
};
const open = async (query = '') => {
  const c = new SseClient(`${run.url}/sse${query}`);
  const hello = await c.next('hello');
  return { c, hello, control: hello.control! };
};

/** Checks that every stream's updates chain on the previous seq, from its snapshot on. */
function expectChained(messages: ServerMessage[]): number {
  const seq = new Map<string, number>();
  let updates = 0;
  for (const m of messages) {
    if (m.type === 'snapshot') for (const it of m.items) seq.set(`${it.s}|${it.ch}`, it.seq);
    if (m.type !== 'update') continue;
    for (const it of m.items) {
      const key = `${it.s}|${it.ch}`;
      expect(seq.get(key), `${key} update without snapshot`).toBeDefined();
      expect(it.prev, `${key} prev`).toBe(seq.get(key));
      expect(it.seq).toBeGreaterThan(it.prev);
      seq.set(key, it.seq);
      updates++;
    }
  }
  return updates;
}

describe('GET /sse', () => {
  it('answers with the event-stream headers', async () => {
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = get(`${run.url}/sse`, (res) => {
        expect(res.statusCode).toBe(200);
        resolve(res.headers);
        req.destroy();
      });
      req.on('error', reject);
    });
    expect(headers['content-type']).toMatch(/^text\/event-stream/);
    expect(headers['cache-control']).toBe('no-cache');
    expect(headers['connection']).toBe('keep-alive');
    expect(headers['x-accel-buffering']).toBe('no');
  });

  it('starts with hello (with the control path), then snapshots and updates that chain on prev', async () => {
    const { c, hello } = await open('?symbols=AAPL,MSFT&channels=ticker,trades');
    expect(c.messages[0]).toBe(hello);
    expect(hello).toMatchObject({ v: 1, heartbeat: 500, control: `/sse/${hello.session}` });
    expect(hello.limits.payload).toBeGreaterThan(0);
    expect(await c.next('subscribed')).toMatchObject({ symbols: ['AAPL', 'MSFT'], channels: ['ticker', 'trades'], throttle: 0 });
    // Snapshots may come in parts (protocol 1.2): a first read that builds history ends its part.
    const snapped = () => c.of('snapshot').flatMap((m) => m.items.map((i) => `${i.s}|${i.ch}`)).sort();
    await until('all four snapshot items', () => snapped().length >= 4);
    expect(snapped()).toEqual(['AAPL|ticker', 'AAPL|trades', 'MSFT|ticker', 'MSFT|trades']);
    await c.next('update', (m) => m.items.some((i) => i.s === 'MSFT' && i.ch === 'ticker'));
    await until('four update items', () => c.of('update').flatMap((m) => m.items).length > 3);
    c.es.close();
    expect(expectChained(c.messages)).toBeGreaterThan(3);
    expect(c.of('heartbeat').length + c.of('update').length).toBeGreaterThan(0);
  });

  it('throttles: updates of a stream at most one per throttle period, conflated', async () => {
    const { c } = await open('?symbols=AAPL&throttle=300');
    expect((await c.next('subscribed')).throttle).toBe(300);
    const aapl = () => c.of('update').filter((m) => m.items.some((i) => i.s === 'AAPL'));
    const updates = await until('four throttled updates', () => (aapl().length >= 4 ? aapl() : undefined));
    c.es.close();
    expect(updates.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < updates.length; i++) expect(updates[i].t - updates[i - 1].t).toBeGreaterThanOrEqual(300);
    // 20 events/s into 300 ms windows: items skip seqs (conflation), and still chain.
    expect(updates.some((m) => m.items.some((it) => it.seq - it.prev > 1))).toBe(true);
    expectChained(c.messages);
  });

  it('reports a bad query as an error event and keeps the session open', async () => {
    const { c, control } = await open('?symbols=AAPL&throttle=soon');
    expect(await c.next('error')).toMatchObject({ code: 'bad_request' });
    const { c: c2, control: control2 } = await open('?symbols=AAPL,NOPE&channels=ticker,bogus');
    expect(await c2.next('error', (e) => e.code === 'unknown_symbol')).toMatchObject({ symbols: ['NOPE'] });
    expect(await c2.next('error', (e) => e.code === 'unknown_channel')).toMatchObject({ channels: ['bogus'] });
    expect(await c2.next('subscribed')).toMatchObject({ symbols: ['AAPL'], channels: ['ticker'] });
    expect((await post(control, '{"type":"ping","id":1}')).body).toMatchObject({ type: 'pong', id: 1 });
    expect((await post(control2, '{"type":"ping","id":2}')).body).toMatchObject({ type: 'pong', id: 2 });
    c.es.close();
    c2.es.close();
  });
});

describe('POST /sse/{session}', () => {
  it('subscribes, pings, asks for snapshots and unsubscribes; data stays on the stream', async () => {
    const { c, control } = await open();
    const sub = await post(control, JSON.stringify({ type: 'subscribe', id: 7, symbols: ['MSFT'], channels: ['ticker'], throttle: 100 }));
    expect(sub).toMatchObject({ status: 200, body: { type: 'subscribed', id: 7, symbols: ['MSFT'], channels: ['ticker'], throttle: 100 } });
    await c.next('snapshot', (m) => m.items.some((i) => i.s === 'MSFT'));
    await c.next('update', (m) => m.items.some((i) => i.s === 'MSFT'));
    expect(c.of('subscribed')).toHaveLength(0); // the answer went in the POST body only

    const pong = await post(control, JSON.stringify({ type: 'ping', id: 8, t: 12.5 }));
    expect(pong).toMatchObject({ status: 200, body: { type: 'pong', id: 8, echo: 12.5 } });

    const snapshots = c.of('snapshot').length;
    const snap = await post(control, JSON.stringify({ type: 'snapshot', id: 9, symbols: ['MSFT'] }));
    expect(snap).toMatchObject({ status: 202, body: { type: 'accepted', id: 9 } });
    await c.next('snapshot', () => c.of('snapshot').length > snapshots);

    const unsub = await post(control, JSON.stringify({ type: 'unsubscribe', id: 10, symbols: ['MSFT'] }));
    expect(unsub).toMatchObject({ status: 200, body: { type: 'unsubscribed', id: 10, symbols: ['MSFT'], channels: ['ticker'] } });
    await sleep(300); // updates already on their way when the unsubscribe was answered land
    const after = c.messages.length;
    await sleep(500); // a window in which nothing may come: no event marks "no update"
    expect(c.messages.slice(after).filter((m) => m.type === 'update')).toHaveLength(0);
    c.es.close();
    expectChained(c.messages);
  });

  it('answers a partly bad subscribe with subscribed and sends the refused part as an error event', async () => {
    const { c, control } = await open();
    const r = await post(control, JSON.stringify({ type: 'subscribe', id: 3, symbols: ['AAPL', 'NOPE'] }));
    expect(r).toMatchObject({ status: 200, body: { type: 'subscribed', id: 3, symbols: ['AAPL'] } });
    expect(await c.next('error')).toMatchObject({ id: 3, code: 'unknown_symbol', symbols: ['NOPE'] });
    const bad = await post(control, JSON.stringify({ type: 'subscribe', id: 4, symbols: ['NOPE'] }));
    expect(bad).toMatchObject({ status: 400, body: { type: 'error', id: 4, code: 'unknown_symbol', symbols: ['NOPE'] } });
    const wrong = await post(control, JSON.stringify({ type: 'subscribe', symbols: 'AAPL' }));
    expect(wrong).toMatchObject({ status: 400, body: { type: 'error', code: 'bad_request' } });
    const unknownType = await post(control, JSON.stringify({ type: 'dance' }));
    expect(unknownType).toMatchObject({ status: 400, body: { type: 'error', code: 'bad_request' } });
    c.es.close();
  });

  it('answers 400 with an error to a body that is not a JSON object, whatever its content type', async () => {
    const { c, control } = await open();
    for (const [body, type] of [
      ['{not json', 'application/json'],
      ['', 'application/json'],
      ['[1,2]', 'application/json'],
      ['42', 'application/json'],
      ['null', 'text/plain'],
      ['<x/>', 'application/xml'],
    ]) {
      const r = await post(control, body, type);
      expect(r.status, body).toBe(400);
      expect(r.body).toMatchObject({ type: 'error', code: 'bad_request' });
    }
    expect((await post(control, '{"type":"ping"}', 'text/plain')).status).toBe(200);
    c.es.close();
  });

  it('answers 404 with an error for an unknown session and for one whose stream has ended', async () => {
    const r = await post('/sse/no-such-session', '{"type":"ping"}');
    expect(r).toMatchObject({ status: 404, body: { type: 'error' } });
    const { c, control } = await open();
    expect((await post(control, '{"type":"ping"}')).status).toBe(200);
    c.es.close();
    await until('the session freed', () => run.node.hub.sessions.size === 0);
    expect((await post(control, '{"type":"ping"}')).status).toBe(404);
  });
});

describe('session lifetime', () => {
  it('frees the session as soon as the client goes away: no leak over 100 cycles', async () => {
    await until('the session freed', () => run.node.hub.sessions.size === 0);
    let peak = 0;
    for (let round = 0; round < 10; round++) {
      const clients = await Promise.all(Array.from({ length: 10 }, () => open('?symbols=AAPL&channels=ticker,trades')));
      peak = Math.max(peak, run.node.hub.sessions.size);
      for (const { c } of clients) c.es.close();
    }
    expect(peak).toBeGreaterThanOrEqual(10);
    await until('the session freed', () => run.node.hub.sessions.size === 0);
  });

  it('does not hold up the server closing, and the stream then ends', async () => {
    const other = await startNode();
    const c = new SseClient(`${other.url}/sse?symbols=AAPL`);
    await c.next('snapshot');
    const failed = new Promise<void>((resolve) => c.es.addEventListener('error', (ev) => typeof (ev as MessageEvent).data !== 'string' && resolve()));
    await other.close();
    await failed;
    c.es.close();
    expect(other.node.hub.sessions.size).toBe(0);
  });
});


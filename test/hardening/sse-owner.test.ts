/**
 * An SSE session obeys only whoever opened it: control POSTs with other credentials get the
 * 404 of an unknown session, and the owner's stream is untouched. Bodies nested deeper than 32
 * levels get 400 bad_request, as MessagePack frames do.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type Running } from '../helpers/node.js';

interface Stream {
  control: string;
  events: { type: string; data: Record<string, unknown> }[];
  close(): void;
}

/** Opens /sse with `headers`; resolves once hello has come, with the control path. */
async function openSse(url: string, headers: Record<string, string> = {}): Promise<Stream> {
  const ac = new AbortController();
  const res = await fetch(`${url}/sse?symbols=AAPL&channels=ticker`, { headers, signal: ac.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const events: Stream['events'] = [];
  let buf = '';
  let hello: ((c: string) => void) | undefined;
  const gotHello = new Promise<string>((r) => (hello = r));
  void (async () => {
    const dec = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const type = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (!type || !data) continue;
        const msg = JSON.parse(data);
        events.push({ type, data: msg });
        if (type === 'hello') hello?.(msg.control);
      }
    }
  })();
  return { control: await gotHello, events, close: () => ac.abort() };
}

/** A raw POST from a chosen source address (fetch cannot bind one). */
function post(port: number, path: string, body: string, o: { localAddress?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', ...(o.localAddress ? { localAddress: o.localAddress } : {}) }, () => {
      const h = { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close', ...o.headers };
      s.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`);
    });
    let buf = '';
    s.on('data', (c: Buffer) => (buf += c.toString()));
    s.on('end', () => {
      const i = buf.indexOf('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1] ?? 0), body: buf.slice(i + 4) });
    });
    s.on('error', reject);
  });
}

const ping = JSON.stringify({ type: 'ping', id: 7 });
const unsubscribe = JSON.stringify({ type: 'unsubscribe', symbols: ['AAPL'] });

describe('on an open server: the session belongs to the client address that opened it', () => {
  let n: Running;
  beforeAll(async () => (n = await startNode({ FEED_SYMBOLS: '5', FEED_RATE: '50' })));
  afterAll(() => n.close());

  it('answers another address 404 and obeys the owner', async () => {
    const port = Number(new URL(n.url).port);
    const victim = await openSse(n.url);
    const other = await post(port, victim.control, unsubscribe, { localAddress: '127.0.0.2' });
    expect(other.status).toBe(404);
    expect(JSON.parse(other.body)).toMatchObject({ type: 'error', code: 'bad_request' });
    const before = victim.events.filter((e) => e.type === 'update').length;
    await expect.poll(() => victim.events.filter((e) => e.type === 'update').length, { timeout: 5000 }).toBeGreaterThan(before + 2);
    const own = await post(port, victim.control, ping, { localAddress: '127.0.0.1' });
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body)).toMatchObject({ type: 'pong', id: 7 });
    victim.close();
  });

  it('refuses a body nested deeper than 32 levels with 400 bad_request, and the session lives on', async () => {
    const port = Number(new URL(n.url).port);
    const s = await openSse(n.url);
    const deep = '{"type":"ping","x":' + '['.repeat(30_000) + ']'.repeat(30_000) + '}';
    const a = await post(port, s.control, deep);
    expect(a.status).toBe(400);
    expect(JSON.parse(a.body)).toMatchObject({ type: 'error', code: 'bad_request' });
    const ok = await post(port, s.control, '{"type":"ping","x":' + '['.repeat(20) + ']'.repeat(20) + '}');
    expect(ok.status).toBe(200);
    s.close();
  });

  it('refuses a `since` query that is not JSON with 400 bad_request before opening a stream', async () => {
    const res = await fetch(`${n.url}/sse?symbols=AAPL&since=${encodeURIComponent('[{"s":')}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', code: 'bad_request' });
  });
});

describe('with tokens: the session belongs to the token that opened it', () => {
  let n: Running;
  beforeAll(async () => (n = await startNode({ FEED_SYMBOLS: '5', FEED_RATE: '50', AUTH_TOKENS: 'victim-token,other-token' })));
  afterAll(() => n.close());

  it('answers another valid token 404, so it cannot unsubscribe or flood the victim', async () => {
    const port = Number(new URL(n.url).port);
    const victim = await openSse(n.url, { Authorization: 'Bearer victim-token' });
    for (let i = 0; i < 200; i++) {
      const a = await post(port, victim.control, unsubscribe, { headers: { Authorization: 'Bearer other-token' } });
      expect(a.status).toBe(404);
    }
    const before = victim.events.filter((e) => e.type === 'update').length;
    await expect.poll(() => victim.events.filter((e) => e.type === 'update').length, { timeout: 5000 }).toBeGreaterThan(before + 2);
    expect(victim.events.some((e) => e.type === 'error')).toBe(false);
    const own = await post(port, `${victim.control}?token=victim-token`, ping);
    expect(own.status).toBe(200);
    victim.close();
  });
});

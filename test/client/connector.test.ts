/**
 * Connector (shared/client/connector.ts) against real servers on port 0: the URL round, the
 * connect timeout, the fall back to SSE where there is no WebSocket, the silence watchdog on an
 * injected clock, a reconnect on demand, a token asked for per attempt, and a quiet close.
 */
import { EventSource } from 'eventsource';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { Connector, type ConnectorOptions } from '../../shared/client/connector.js';
import type { Link } from '../../shared/client/link.js';
import type { ClientStatus } from '../../shared/client/types.js';
import type { WebSocketCtor } from '../../shared/client/ws-link.js';
import type { HelloMsg, ServerMessage } from '../../shared/protocol.js';
import { startNode, type Running } from '../helpers/node.js';
import { sleep, until } from '../helpers/wait.js';

/** A connector with its hooks recorded; `clock.ms` is what its `now` returns, added to the real time. */
function connect(o: Partial<ConnectorOptions> & Pick<ConnectorOptions, 'urls'>) {
  const clock = { ms: 0 };
  const rec = { statuses: [] as ClientStatus[], hellos: [] as HelloMsg[], links: [] as Link[], messages: [] as ServerMessage[], downs: 0 };
  const c = new Connector(
    {
      transport: 'ws', WebSocket: WebSocket as unknown as WebSocketCtor, EventSource, fetch, baseDelayMs: 20, maxDelayMs: 100, wsRetryMs: 60_000, connectTimeoutMs: 5000,
      now: () => Date.now() + clock.ms, random: () => 0.5, ...o,
    },
    {
      status: (s) => rec.statuses.push(s),
      live: (link, hello) => (rec.links.push(link), rec.hellos.push(hello)),
      message: (m) => rec.messages.push(m),
      down: () => rec.downs++,
    },
  );
  open.push(c);
  c.start();
  return { c, rec, clock, live: () => until('live', () => rec.statuses.at(-1)?.state === 'live') };
}

const open: Connector[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  for (const f of closers.splice(0)) await f();
});

async function node(env: Record<string, string> = {}): Promise<Running> {
  const n = await startNode({ FEED_SYMBOLS: '5', ...env });
  closers.push(() => n.close());
  return n;
}

/** A TCP server that accepts and never answers: no upgrade, no hello. */
async function silentServer(): Promise<string> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => sockets.add(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => srv.close(() => r()));
  });
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

/** A URL nobody listens on. */
async function deadUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return `http://127.0.0.1:${port}`;
}

describe('Connector', () => {
  it('goes live on the first URL that answers hello, after a refused one, and passes later messages on', async () => {
    const [dead, n] = await Promise.all([deadUrl(), node()]);
    const { rec, live } = connect({ urls: [dead, n.url] });
    await live();
    expect(rec.statuses[0]).toEqual({ state: 'connecting', url: dead, transport: 'ws' });
    expect(rec.statuses.find((s) => s.state === 'reconnecting')).toMatchObject({ attempt: 2 });
    expect(rec.statuses.at(-1)).toEqual({ state: 'live', url: n.url, transport: 'ws', fallback: false });
    expect(rec.hellos).toHaveLength(1);
    expect(rec.hellos[0]).toMatchObject({ type: 'hello', v: 1 });
    rec.links[0]!.send({ type: 'ping', id: 5 });
    await until('the pong', () => rec.messages.some((m) => m.type === 'pong' && m.id === 5));
    expect(rec.messages.some((m) => m.type === 'hello')).toBe(false); // hello went to `live`, not `message`
  });

  it('gives up an attempt that brings no hello within connectTimeoutMs and tries the next URL', async () => {
    const [silent, n] = await Promise.all([silentServer(), node()]);
    const { rec, live } = connect({ urls: [silent, n.url], connectTimeoutMs: 300 });
    await live();
    expect(rec.statuses.find((s) => s.state === 'reconnecting')).toMatchObject({ reason: 'no hello within 300 ms' });
    expect(rec.statuses.at(-1)).toMatchObject({ state: 'live', url: n.url });
  });

  it('in auto mode falls back to SSE on the same server when there is no WebSocket, and says so', async () => {
    const n = await node();
    const { rec, live } = connect({ urls: [n.url], transport: 'auto', WebSocket: undefined });
    await live();
    expect(rec.statuses.at(-1)).toEqual({ state: 'live', url: n.url, transport: 'sse', fallback: true });
    expect(rec.links[0]!.kind).toBe('sse');
    expect(rec.statuses.filter((s) => s.state === 'reconnecting')).toEqual([]); // straight to SSE, no backoff
  });

  it('drops a live link silent for two heartbeats (on its injected clock), reports it down and reconnects', async () => {
    const n = await node({ HEARTBEAT_MS: '600' }); // watched every 300 ms; silent after 2 x 600 + 1000 ms
    const { rec, clock, live } = connect({ urls: [n.url] });
    await live();
    expect(rec.downs).toBe(0);
    // Time runs fast for the connector only: 10 s a poll, so the gap between two heartbeats is long past the limit.
    await until('the link dropped', () => ((clock.ms += 10_000), rec.downs === 1));
    expect(rec.statuses.find((s) => s.state === 'reconnecting')).toMatchObject({ reason: expect.stringMatching(/^no message for \d+ ms$/) });
    await until('live again', () => rec.hellos.length === 2 && rec.statuses.at(-1)?.state === 'live');
  });

  it('reconnects at once on demand, with the reason given', async () => {
    const n = await node();
    const { c, rec, live } = connect({ urls: [n.url], baseDelayMs: 60_000, maxDelayMs: 60_000 });
    await live();
    c.reconnect('token expired');
    expect(rec.statuses.at(-1)).toEqual({ state: 'reconnecting', attempt: 1, delayMs: 0, reason: 'token expired' });
    expect(rec.downs).toBe(1);
    await until('live again', () => rec.hellos.length === 2);
    expect(rec.hellos[1]!.session).not.toBe(rec.hellos[0]!.session);
  });

  it('asks getToken for the token of every attempt', async () => {
    const n = await node({ AUTH_TOKENS: 'good' });
    const asked: string[] = [];
    const { rec } = connect({ urls: [n.url], getToken: async () => (asked.push(asked.length ? 'good' : 'bad'), asked.at(-1)!) });
    await until('live with the second token', () => rec.statuses.at(-1)?.state === 'live');
    expect(asked).toEqual(['bad', 'good']);
    expect(rec.links[0]!.token).toBe('good');
  });

  it('stays quiet after close: no status, no reconnect', async () => {
    const n = await node();
    const { c, rec, live } = connect({ urls: [n.url] });
    await live();
    const seen = rec.statuses.length;
    c.close();
    await n.close(); // the server going away would otherwise mean a reconnect
    closers.length = 0;
    await sleep(200); // a window in which nothing may happen: no event marks a reconnect not tried
    expect(rec.statuses.length).toBe(seen);
    expect(rec.downs).toBe(0);
  });
});

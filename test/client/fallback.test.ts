/** `transport: 'auto'`: SSE when WebSocket upgrades are refused, back to WebSocket when they work again. */
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { afterEach, expect, it } from 'vitest';
import { createNode, type Node } from '../../server/node/all.js';
import { loadConfig } from '../../server/config.js';
import { MarketClient } from '../../shared/client/index.js';
import { FIRST_WS_RETRY_MS } from '../../shared/client/connector.js';
import type { ClientStatus, StreamChange } from '../../shared/client/types.js';
import { until } from '../helpers/wait.js';

let node: Node | undefined;
let client: MarketClient | undefined;
afterEach(async () => {
  client?.close();
  await node?.close();
});

/** A node whose `/ws` upgrades are refused with 403 while `refuse.on`, as a blocking proxy would. */
async function nodeRefusingWs(refuse: { on: boolean; count: number }): Promise<{ node: Node; url: string }> {
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', FEED_RATE: '20', FEED_SYMBOLS: '20', HEARTBEAT_MS: '1000' }), port: 0, host: '127.0.0.1' };
  const n = await createNode(config);
  n.app.addHook('onRequest', async (req, reply) => {
    if (refuse.on && req.url.startsWith('/ws')) {
      refuse.count++;
      return reply.code(403).send({ type: 'error', code: 'unauthorized', message: 'WebSocket blocked' });
    }
  });
  return { node: n, url: await n.start() };
}

it('falls back to SSE when WebSocket is refused, keeps data flowing, and returns to WebSocket later', async () => {
  const refuse = { on: true, count: 0 };
  const started = await nodeRefusingWs(refuse);
  node = started.node;
  const statuses: ClientStatus[] = [];
  const changes: StreamChange[] = [];
  client = new MarketClient({ urls: started.url, transport: 'auto', WebSocket, EventSource, wsRetryMs: 400, baseDelayMs: 50 });
  client.on('status', (s) => statuses.push(s));
  client.on('change', (c) => changes.push(c));
  client.subscribe(['AAPL'], { channels: ['ticker', 'trades'] });

  await until('live', () => client!.status.state === 'live');
  expect(statuses.slice(0, 3)).toEqual([
    { state: 'connecting', url: started.url, transport: 'ws' },
    { state: 'connecting', url: started.url, transport: 'sse' },
    { state: 'live', url: started.url, transport: 'sse', fallback: true },
  ]);
  expect(refuse.count).toBe(1);
  await until('updates over SSE', () => changes.filter((c) => c.kind === 'update').length >= 5);
  expect(client.connection?.transport).toBe('sse');

  // The retry probes WebSocket while SSE keeps serving; once upgrades work it switches.
  await until('a WebSocket retry', () => refuse.count >= 2);
  expect(client.status).toMatchObject({ transport: 'sse', fallback: true });
  refuse.on = false;
  await until('back on WebSocket', () => client!.connection?.transport === 'ws');
  expect(client.status).toEqual({ state: 'live', url: started.url, transport: 'ws', fallback: false });
  const mark = changes.length;
  await until('updates over WebSocket', () => changes.slice(mark).filter((c) => c.kind === 'update' && c.symbol === 'AAPL').length >= 3);
  // The SSE session was given up: one session is left on the server.
  await until('the SSE session freed', () => node!.hub.sessions.size === 1);
  expect(statuses.some((s) => s.state === 'reconnecting')).toBe(false);

  // Every stream's seq only rises (snapshots may restart a stream on the new session).
  const last = new Map<string, number>();
  for (const c of changes) {
    const key = `${c.symbol}|${c.channel}`;
    if (c.kind === 'update') expect(c.seq).toBeGreaterThan(last.get(key)!);
    last.set(key, c.seq);
  }
});

it('tries WebSocket again soon after a fallback (it may have failed only because the server was restarting), then every wsRetryMs', async () => {
  const refuse = { on: true, count: 0 };
  const started = await nodeRefusingWs(refuse);
  node = started.node;
  client = new MarketClient({ urls: started.url, transport: 'auto', WebSocket, EventSource, wsRetryMs: 60_000, baseDelayMs: 50 });
  client.subscribe(['AAPL']);
  await until('live on the SSE fallback', () => client!.status.state === 'live' && client!.connection?.transport === 'sse');
  refuse.on = false;
  // Well before wsRetryMs: the first retry comes after at most FIRST_WS_RETRY_MS.
  await until('back on WebSocket', () => client!.connection?.transport === 'ws', FIRST_WS_RETRY_MS + 5000);
  expect(client.status).toMatchObject({ state: 'live', transport: 'ws', fallback: false });
});

/**
 * The replay right (protocol 1.2 section 3): a static AUTH_TOKENS token has it, a JWT with
 * `"replay": true` has it, other JWTs do not (403 forbidden, hello.clock.control false); on an
 * open server only loopback peers have it. A simulated market answers 404 not_found.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decode } from '../../shared/codec.js';
import type { HelloMsg } from '../../shared/protocol.js';
import { mintToken, TEST_JWT_SECRET } from '../helpers/jwt.js';
import { startNode } from '../helpers/node.js';
import { networkInterfaces } from 'node:os';
import { get, rawRequest } from '../helpers/raw-http.js';
import { startReplay, writeMinute } from './replay-node.js';
import type { ReplayNode } from '../../server/node/replay-node.js';

const STATIC = 'static-token-for-replay-tests';
const post = (url: string, body: unknown, token?: string) =>
  fetch(`${url}/api/replay`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });

async function hello(wsUrl: string): Promise<HelloMsg> {
  const ws = new WebSocket(wsUrl);
  const m = await new Promise<HelloMsg>((resolve, reject) => {
    ws.once('message', (d: Buffer) => {
      const r = decode(d);
      if (r.ok) resolve(r.value as HelloMsg);
      else reject(new Error(r.error));
    });
    ws.once('error', reject);
  });
  ws.close();
  return m;
}

describe('the replay right with tokens', () => {
  let run: { node: ReplayNode; url: string };
  beforeAll(async () => {
    run = await startReplay({ REPLAY_FILES: writeMinute(), AUTH_TOKENS: STATIC, AUTH_JWT_SECRET: TEST_JWT_SECRET });
  });
  afterAll(() => run?.node.close());

  it('a static token and a JWT with "replay": true may control; a JWT without it may only read', async () => {
    const withRight = await mintToken({ sub: 'ops', replay: true });
    const without = await mintToken({ sub: 'viewer' });
    expect((await post(run.url, { action: 'pause' }, STATIC)).status).toBe(200);
    expect((await post(run.url, { action: 'resume' }, withRight)).status).toBe(200);
    const refused = await post(run.url, { action: 'pause' }, without);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ type: 'error', code: 'forbidden' });
    expect((await post(run.url, { action: 'pause' })).status).toBe(401);
    const read = await fetch(`${run.url}/api/replay`, { headers: { authorization: `Bearer ${without}` } });
    expect(await read.json()).toMatchObject({ mode: 'replay', paused: false, control: false });
    const ws = run.url.replace('http', 'ws') + '/ws?token=';
    expect((await hello(ws + without)).clock).toMatchObject({ mode: 'replay', control: false });
    expect((await hello(ws + withRight)).clock).toMatchObject({ mode: 'replay', control: true });
    expect((await hello(ws + STATIC)).clock).toMatchObject({ mode: 'replay', control: true });
  });
});

describe('the replay right without authentication', () => {
  let run: { node: ReplayNode; url: string };
  beforeAll(async () => {
    run = await startReplay({ REPLAY_FILES: writeMinute() });
  });
  afterAll(() => run?.node.close());

  it('is held by loopback peers only', async () => {
    expect((await post(run.url, { action: 'pause' })).status).toBe(200);
    expect(await (await fetch(`${run.url}/api/replay`)).json()).toMatchObject({ paused: true, control: true });
    const external = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    expect(external, 'this test needs a non-loopback IPv4 address to come from').toBeDefined();
    const port = Number(new URL(run.url).port);
    const body = JSON.stringify({ action: 'resume' });
    const r = await rawRequest(port, `POST /api/replay HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`, { localAddress: external, maxBody: 1 });
    expect(r.status).toBe(403);
    const g = await rawRequest(port, get('/api/replay'), { localAddress: external, maxBody: 1 });
    expect(g.status).toBe(200);
    expect(JSON.parse(g.body)).toMatchObject({ paused: true, control: false });
  });
});

describe('a simulated market', () => {
  it('answers /api/replay with 404 not_found, and lists its symbols as sim', async () => {
    const sim = await startNode({ FEED_SYMBOLS: '2' });
    try {
      const get = await fetch(`${sim.url}/api/replay`);
      expect(get.status).toBe(404);
      expect(await get.json()).toMatchObject({ type: 'error', code: 'not_found' });
      expect((await post(sim.url, { action: 'pause' })).status).toBe(404);
      const symbols = (await (await fetch(`${sim.url}/api/symbols`)).json()) as { source: string }[];
      expect(symbols.every((s) => s.source === 'sim')).toBe(true);
      expect((await hello(sim.wsUrl)).clock).toBeUndefined();
    } finally {
      await sim.close();
    }
  });
});

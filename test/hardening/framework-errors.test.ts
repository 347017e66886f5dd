/** What fails before any route (bad URL, no route, oversized head) still answers in the protocol's error shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, rawRequest } from '../helpers/raw-http.js';
import { startNode, type Running } from '../helpers/node.js';

let n: Running;
let port: number;
beforeAll(async () => {
  n = await startNode({ FEED_SYMBOLS: '5' });
  port = Number(new URL(n.url).port);
});
afterAll(() => n.close());

const shape = { type: 'error', code: expect.any(String), message: expect.any(String), t: expect.any(Number) };

describe('answers before routing', () => {
  it.each([
    ['/api/%FF', 400, 'bad_request'],
    ['/%E0%A4%A', 400, 'bad_request'],
    ['/no-such-route-at-all', 404, 'bad_request'],
  ])('%s gets %i %s as JSON', async (target, status, code) => {
    const a = await rawRequest(port, get(target), { maxBody: 10 });
    expect(a.status).toBe(status);
    expect(JSON.parse(a.body)).toEqual({ ...shape, code });
  });

  it('answers a head over 16 KiB 431 limit_exceeded as JSON, and the server lives on', async () => {
    const a = await rawRequest(port, get('/healthz', { 'X-Big': 'a'.repeat(20_000) }), { maxBody: 10 });
    expect(a.status).toBe(431);
    expect(JSON.parse(a.body)).toEqual({ ...shape, code: 'limit_exceeded' });
    expect((await fetch(`${n.url}/healthz`)).status).toBe(200);
  });
});

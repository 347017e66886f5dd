/**
 * The API documents and the /docs page are open on a server with AUTH_TOKENS, decided on the
 * matched route: REST and streams still need the token, and so does a path that only looks
 * like the documents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type Running } from '../helpers/node.js';
import { httpGet } from './http-get.js';

let n: Running;
beforeAll(async () => (n = await startNode({ FEED_SYMBOLS: '3', AUTH_TOKENS: 'docs-token' })));
afterAll(() => n.close());

describe('open documents on a server with tokens', () => {
  it('answers /openapi.json, /asyncapi.json and /docs with its assets without a token', async () => {
    for (const path of ['/openapi.json', '/asyncapi.json', '/docs', '/docs/', '/docs/rest', '/docs/rest/json', '/docs/rest/yaml', '/docs/rest/static/swagger-ui.css', '/docs/rest/static/swagger-initializer.js', '/docs/rest/static/index.html']) {
      const r = await httpGet(n.url + path);
      expect([200, 302], path).toContain(r.status);
      expect(r.text, path).not.toMatch(/^\{"type":"error"/);
    }
  });

  it('still asks a token of /api/symbols and /sse, and of paths under /api that mention the documents', async () => {
    for (const path of ['/api/symbols', '/api/docs', '/api/openapi.json', '/sse?symbols=AAPL']) {
      const r = await httpGet(n.url + path);
      expect(r.status, path).toBe(401);
      expect(JSON.parse(r.text), path).toMatchObject({ type: 'error', code: 'unauthorized' });
    }
    const ok = await httpGet(`${n.url}/api/symbols`, { authorization: 'Bearer docs-token' });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text).length).toBe(3);
  });
});

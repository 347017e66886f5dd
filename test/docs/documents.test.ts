/**
 * The served API documents against a real server: /asyncapi.json parses with @asyncapi/parser
 * 3.x without a diagnostic and describes /ws (MessagePack), /sse (JSON) and the control POST
 * with every protocol 1.1 message; /openapi.json validates with @apidevtools/swagger-parser and
 * describes the REST routes and /healthz only; /docs is Swagger UI unless DOCS=off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../shared/protocol.js';
import { startNode, type Running } from '../helpers/node.js';
import { httpGet } from './http-get.js';
import { operationPayloads, parseAsyncApi, parseOpenApi, replyPayloads } from './doc-schemas.js';

const SERVER_TYPES = ['hello', 'subscribed', 'unsubscribed', 'snapshot', 'update', 'heartbeat', 'pong', 'error', 'refreshed', 'clock'];
const CLIENT_TYPES = ['subscribe', 'unsubscribe', 'snapshot', 'ping', 'refresh'];

let n: Running;
beforeAll(async () => (n = await startNode({ FEED_SYMBOLS: '5' })));
afterAll(() => n.close());

const getJson = async (path: string) => {
  const r = await httpGet(n.url + path);
  expect(r.status, path).toBe(200);
  expect(r.type, path).toMatch(/^application\/json/);
  return JSON.parse(r.text);
};

describe('GET /asyncapi.json', () => {
  it('is AsyncAPI 3 that the reference parser reads without a diagnostic, servers named after the Host asked', async () => {
    const raw = await getJson('/asyncapi.json');
    expect(raw.asyncapi).toMatch(/^3\./);
    const { document, diagnostics } = await parseAsyncApi(raw);
    expect(diagnostics.map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
    expect(document).toBeDefined();
    const host = new URL(n.url).host;
    expect(document!.servers().all().map((s) => [s.id(), s.protocol(), s.host()])).toEqual([
      ['ws', 'ws', host],
      ['http', 'http', host],
    ]);
  }, 120_000);

  it('gives /ws every message as MessagePack, /sse every server message as JSON, and the control POST its requests and replies', async () => {
    const { document } = await parseAsyncApi(await getJson('/asyncapi.json'));
    const doc = document!;
    expect(doc.channels().all().map((c) => c.address())).toEqual(['/ws', '/sse', '/sse/{session}']);
    const names = (op: string) => [...operationPayloads(doc, op).keys()].sort();
    expect(names('wsSend')).toEqual([...SERVER_TYPES].sort());
    expect(names('wsReceive')).toEqual([...CLIENT_TYPES].sort());
    expect(names('sseSend')).toEqual([...SERVER_TYPES].sort());
    expect(names('sseControl')).toEqual([...CLIENT_TYPES].sort());
    expect([...replyPayloads(doc, 'sseControl').keys()].sort()).toEqual(['accepted', 'error', 'pong', 'refreshed', 'subscribed', 'unsubscribed']);
    for (const op of ['wsSend', 'wsReceive'] as const) for (const m of doc.operations().get(op)!.messages().all()) expect(m.contentType(), m.name()).toBe('application/vnd.msgpack');
    for (const op of ['sseSend', 'sseControl'] as const) for (const m of doc.operations().get(op)!.messages().all()) expect(m.contentType(), m.name()).toBe('application/json');
    expect(doc.operations().get('wsSend')!.action()).toBe('send');
    expect(doc.operations().get('wsReceive')!.action()).toBe('receive');
    // Each payload's `type` is the message's name; items name every channel the server serves.
    for (const [name, schema] of operationPayloads(doc, 'wsSend')) expect((schema as { properties: { type: { const: string } } }).properties.type.const).toBe(name);
    const hello = operationPayloads(doc, 'wsSend').get('hello') as { properties: { channels: { items: { enum: string[] } } } };
    expect(hello.properties.channels.items.enum).toEqual([...CHANNELS]);
  }, 120_000);
});

describe('GET /openapi.json', () => {
  it('is valid OpenAPI 3.1 of the REST routes and /healthz, each with JSON response schemas, and nothing else', async () => {
    const raw = await getJson('/openapi.json');
    expect(raw.openapi).toBe('3.1.0');
    const doc = await parseOpenApi(raw);
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual(['/api/candles', '/api/snapshot', '/api/symbols', '/healthz']);
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      expect(Object.keys(item!).filter((k) => ['get', 'post', 'put', 'delete', 'patch', 'head'].includes(k)), path).toEqual(['get']);
      expect(item!.get!.responses['200'], path).toBeDefined();
    }
    expect(Object.keys(doc.paths!['/api/snapshot']!.get!.responses).sort()).toEqual(['200', '400', '401', '403', '404', '503']);
    // /healthz is open; the rest take a token when the server has tokens.
    expect(doc.paths!['/healthz']!.get!.security).toEqual([]);
    expect(doc.security).toEqual([{}, { bearer: [] }, { token: [] }]);
    expect((await getJson('/docs/rest/json')).paths).toEqual(raw.paths);
  }, 60_000);
});

describe('/docs', () => {
  it('renders the AsyncAPI document with files served locally; /docs/rest is Swagger UI', async () => {
    for (const path of ['/docs', '/docs/']) {
      const r = await httpGet(n.url + path);
      expect(r.status, path).toBe(200);
      expect(r.text, path).toContain('<script src="/docs-assets/asyncapi.js"></script>');
      expect(r.text, path).not.toMatch(/https?:\/\//);
    }
    for (const path of ['/docs/rest', '/docs/rest/']) {
      const r = await httpGet(n.url + path);
      expect(r.status, path).toBe(200);
      expect(r.text, path).toContain('swagger-ui-bundle.js');
    }
    const css = await httpGet(`${n.url}/docs/rest/static/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.type).toMatch(/^text\/css/);
  });

  it('is not served with DOCS=off, while the documents still are', async () => {
    const off = await startNode({ FEED_SYMBOLS: '2', DOCS: 'off' });
    try {
      for (const path of ['/docs', '/docs/', '/docs/rest', '/docs/rest/json']) {
        const r = await httpGet(off.url + path);
        expect(r.status, path).toBe(404);
        expect(r.text, path).not.toContain('swagger-ui');
      }
      expect((await httpGet(`${off.url}/openapi.json`)).status).toBe(200);
      expect((await httpGet(`${off.url}/asyncapi.json`)).status).toBe(200);
    } finally {
      await off.close();
    }
  });
});

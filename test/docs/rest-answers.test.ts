/**
 * Real REST answers validate against the response schemas /openapi.json gives for their path
 * and status (dereferenced by swagger-parser, Ajv 2020-12), documented and closed: successes of
 * every route and channel, and the errors a user meets (400, 401, 403, 404). The response
 * schemas only document: the answers are the same bytes as JSON.stringify of the handler's value.
 */
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, TEST_JWT_SECRET } from '../helpers/jwt.js';
import { startNode, type Running } from '../helpers/node.js';
import { parseOpenApi, responseSchema, SchemaCheck } from './doc-schemas.js';
import { httpGet } from './http-get.js';

let n: Running;
let doc: OpenAPIV3_1.Document;
let limited: string;
beforeAll(async () => {
  n = await startNode({ FEED_SYMBOLS: '6', FEED_RATE: '20', AUTH_TOKENS: 'rest-token', AUTH_JWT_SECRET: TEST_JWT_SECRET });
  doc = await parseOpenApi(JSON.parse((await httpGet(`${n.url}/openapi.json`)).text));
  limited = await mintToken({ sub: 'docs', symbols: ['AAPL'], channels: ['ticker'] });
}, 120_000);
afterAll(() => n.close());

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('REST answers against /openapi.json', () => {
  it('successes and errors of every route validate against the schema of their path and status', async () => {
    const check = new SchemaCheck('2020-12');
    const cases: [path: string, query: string, status: number, headers: Record<string, string>][] = [
      ['/healthz', '', 200, {}],
      ['/api/symbols', '', 200, bearer('rest-token')],
      ['/api/symbols', '', 200, bearer(limited)],
      ['/api/symbols', '', 401, {}],
      ['/api/snapshot', '', 200, bearer('rest-token')],
      ['/api/snapshot', '?symbols=AAPL,MSFT,NOPE&channels=ticker,trades,candles:1s,candles:1h,book', 200, bearer('rest-token')],
      ['/api/snapshot', '?channels=nope', 400, bearer('rest-token')],
      ['/api/snapshot', '?symbols=NOPE', 404, bearer('rest-token')],
      ['/api/snapshot', '?symbols=MSFT', 403, bearer(limited)],
      ['/api/snapshot', '', 401, { authorization: 'Bearer wrong' }],
      ['/api/candles', '?symbol=AAPL', 200, bearer('rest-token')],
      ['/api/candles', '?symbol=AAPL&interval=1s&limit=5', 200, bearer('rest-token')],
      ['/api/candles', '?symbol=AAPL&interval=2m', 400, bearer('rest-token')],
      ['/api/candles', '?symbol=NOPE', 404, bearer('rest-token')],
      ['/api/candles', '?symbol=AAPL&interval=1h', 403, bearer(limited)],
    ];
    const problems: string[] = [];
    for (const [path, query, status, headers] of cases) {
      const r = await httpGet(n.url + path + query, headers);
      expect(r.status, path + query).toBe(status);
      const body = JSON.parse(r.text);
      const errs = check.check(responseSchema(doc, path, status), body);
      if (errs.length) problems.push(`${status} ${path}${query}: ${errs.join('; ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('the snapshot schema tells the channels apart and keeps its required fields (the check can fail)', async () => {
    const check = new SchemaCheck('2020-12');
    const schema = responseSchema(doc, '/api/snapshot', 200);
    const body = JSON.parse((await httpGet(`${n.url}/api/snapshot?symbols=AAPL&channels=book`, bearer('rest-token'))).text);
    expect(check.check(schema, body)).toEqual([]);
    const item = body.items[0];
    expect(check.check(schema, { ...body, items: [{ ...item, ch: 'ticker' }] })).not.toEqual([]);
    expect(check.check(schema, { ...body, items: [{ ...item, epoch: undefined }] })).not.toEqual([]);
    expect(check.check(responseSchema(doc, '/api/snapshot', 404), { type: 'error', code: 'nope', message: 'x', t: 1 })).not.toEqual([]);
  });
});

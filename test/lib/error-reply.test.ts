/** The one HTTP error answer (server/lib/error-reply.ts): status, the protocol's shape, never cached. */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { errorBody, replyError } from '../../server/lib/error-reply.js';

describe('replyError', () => {
  it('answers {type: "error", code, message, t} with the status and Cache-Control: no-store, extra fields kept', async () => {
    const app = Fastify();
    app.get('/plain', (_req, reply) => replyError(reply, 404, 'bad_request', 'no such thing', 1234));
    app.get('/extra', (_req, reply) => replyError(reply, 403, 'forbidden', 'not yours', 5, { symbols: ['AAPL'] }));
    const plain = await app.inject('/plain');
    expect(plain.statusCode).toBe(404);
    expect(plain.headers['cache-control']).toBe('no-store');
    expect(plain.json()).toEqual({ type: 'error', code: 'bad_request', message: 'no such thing', t: 1234 });
    const extra = await app.inject('/extra');
    expect(extra.statusCode).toBe(403);
    expect(extra.json()).toEqual({ type: 'error', code: 'forbidden', message: 'not yours', symbols: ['AAPL'], t: 5 });
    await app.close();
  });

  it('keeps `t` last whatever the extra fields say', () => {
    expect(errorBody('bad_request', 'm', 7, { t: 1 }).t).toBe(7);
  });
});

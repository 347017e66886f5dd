/**
 * Server-Sent Events transport: `GET /sse?symbols=&channels=&throttle=` opens a session whose
 * messages are JSON events named by their type; `POST /sse/{session}` carries control messages
 * (one JSON client message per request, answered as sse-answer.ts says). Only an adapter: the
 * hub's sessions, throttling, conflation and slow-consumer policy are the same as WebSocket's.
 * A session obeys only its owner: control POSTs must come with the credentials that opened the
 * stream (the same token when tokens are configured, else the same client address); anything
 * else gets the 404 of an unknown session, since a session id travels in URLs and logs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import type { ErrorCode, ServerMessage } from '../../shared/protocol.js';
import { replayRight } from '../auth/replay-right.js';
import type { Hub } from '../fanout/hub.js';
import type { Session, Transport } from '../fanout/session.js';
import { jsonWire } from '../fanout/wire.js';
import '../http/authenticate.js';
import { controlAnswer } from './sse-answer.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from './json-depth.js';
import { replyError } from '../lib/error-reply.js';

export interface SseOptions {
  /** `retry:` sent at open: how long a plain EventSource waits before it reconnects, ms. */
  retryMs?: number;
}

const HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  // nginx and similar proxies buffer responses unless told not to.
  'X-Accel-Buffering': 'no',
};

/** A peer that stops reading never lets `end()` finish: destroy the socket after this long. */
const END_GRACE_MS = 2000;

export function registerSse(app: FastifyInstance, hub: Hub, o: SseOptions = {}): void {
  const open = new Map<string, { session: Session; end: () => void; owner: string }>();

  app.register(async (scope) => {
    // Control bodies are parsed here, so that any body that is not a JSON object gets the
    // protocol's `error` answer rather than Fastify's own.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: hub.limits.payload }, (_req, body, done) => done(null, body));
    scope.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) =>
      fail(reply, err.statusCode && err.statusCode < 500 ? err.statusCode : 500, err.message),
    );
    // An open event stream is an in-flight request: end them so that close() does not wait on them.
    scope.addHook('preClose', async () => {
      for (const { end } of [...open.values()]) end();
    });

    // No HEAD twin: a HEAD request must not open a session.
    scope.get('/sse', { exposeHeadRoute: false }, (req, reply) => {
      const sub = subscribeFromQuery(req);
      if (typeof sub === 'string') return fail(reply, 400, sub);
      const res = reply.raw;
      reply.hijack();
      // Headers set by earlier hooks (CORS and the like) would be lost by hijack(): keep them.
      res.writeHead(200, { ...(reply.getHeaders() as OutgoingHttpHeaders), ...HEADERS });
      res.write(`: tickwire\nretry: ${o.retryMs ?? 2000}\n\n`);
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        open.delete(session.id);
        hub.close(session);
        res.end();
        setTimeout(() => res.destroy(), END_GRACE_MS).unref();
      };
      const transport: Transport = {
        wire: jsonWire,
        send: (type, data) => void (ended || res.write(`event: ${type}\ndata: ${data as string}\n\n`)),
        bufferedAmount: () => res.writableLength,
        close: () => end(),
      };
      const session = hub.open(transport, req.principal);
      session.replay = replayRight(req, hub.auth?.enabled ?? false);
      open.set(session.id, { session, end, owner: ownerOf(req) });
      // The response's 'close' fires when the client goes away (the request's may fire as soon
      // as its body is read): free the session at once.
      res.on('close', end);
      res.on('error', end);
      session.send(hub.hello(session, { control: `/sse/${session.id}` }), hub.now());
      if (sub) hub.receive(session, { ok: true, value: sub });
    });

    scope.post('/sse/:session', async (req, reply) => {
      const entry = open.get((req.params as { session: string }).session);
      if (!entry || entry.session.closed || entry.owner !== ownerOf(req)) return fail(reply, 404, 'no such session (it may have ended): open a new /sse stream');
      const body = typeof req.body === 'string' ? req.body : '';
      if (jsonTooDeep(body)) return fail(reply, 400, `the body nests deeper than ${MAX_JSON_DEPTH} levels`);
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch {
        return fail(reply, 400, 'the body must be one client message as JSON');
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(reply, 400, 'the body must be a JSON object');
      const { session } = entry;
      const replies: ServerMessage[] = [];
      const refused = await hub.receive(session, { ok: true, value }, (m) => void replies.push(m));
      // Refused is refused, even when the run of refusals it was part of has closed the session since.
      if (refused && replies.length === 0) return fail(reply, 429, 'rate limited', 'rate_limited');
      if (session.closed && !refused) return fail(reply, 404, 'the session ended');
      // A refresh may bring another token: the session then belongs to it (a JWT's owner is its `sub`).
      if (session.principal?.owner && replies.some((m) => m.type === 'refreshed')) entry.owner = session.principal.owner;
      const answer = controlAnswer(value, replies, hub.now());
      for (const m of answer.onStream) session.send(m, hub.now());
      return reply.code(answer.status).header('Cache-Control', 'no-store').send(answer.body);
    });
  });
}

/** Who may send a session's control POSTs: the token's owner key, else the client address. */
const ownerOf = (req: FastifyRequest): string => req.principal?.owner ?? `ip:${req.ip}`;

/**
 * The subscription a stream asks for in its query string, if any (validated by the hub), or
 * the message of a 400 for a `since` that is not JSON. `since` is the JSON array of positions
 * (protocol 1.1 section 2), URL-encoded.
 */
function subscribeFromQuery(req: FastifyRequest): object | string | undefined {
  const q = req.query as Record<string, unknown>;
  const symbols = csv(q.symbols);
  if (!symbols) return undefined;
  const channels = csv(q.channels);
  const throttle = typeof q.throttle === 'string' && q.throttle !== '' ? Number(q.throttle) : undefined;
  let since: unknown;
  if (q.since !== undefined) {
    if (typeof q.since !== 'string') return '`since` must be given once, as a JSON array';
    if (jsonTooDeep(q.since)) return `\`since\` nests deeper than ${MAX_JSON_DEPTH} levels`;
    try {
      since = JSON.parse(q.since);
    } catch {
      return '`since` must be a JSON array of {s, ch, epoch, seq}';
    }
  }
  return {
    type: 'subscribe',
    symbols,
    ...(channels ? { channels } : {}),
    ...(throttle !== undefined ? { throttle } : {}),
    ...(since !== undefined ? { since } : {}),
  };
}

/** `a,b` or repeated parameters; undefined when absent or empty. */
function csv(v: unknown): string[] | undefined {
  const parts = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string').flatMap((x) => x.split(','));
  const out = parts.map((x) => x.trim()).filter(Boolean);
  return out.length ? out : undefined;
}

/** An error answer in the protocol's shape; for a missing session the status (404) says more than the code. */
function fail(reply: FastifyReply, status: number, message: string, code: ErrorCode = 'bad_request') {
  return replyError(reply, status, code, message);
}

/**
 * SSE link: server messages arrive as JSON events named by their type; client messages go as
 * JSON POSTs to `hello.control`, one at a time and in order (two in flight could be handled
 * out of order), and their answers (`subscribed`, `pong`, `error`...) are delivered like
 * stream messages. The EventSource's own reconnect is not used: a new stream would be a new
 * session that knows none of our subscriptions, so any stream error ends the link, and so
 * does a control POST answered 401 (the token was refused or expired: the owner reconnects
 * with a fresh one).
 */
import type { ClientMessage } from '../protocol.js';
import { controlEndpoint } from './endpoints.js';
import { isServerMessage, SERVER_MESSAGE_TYPES, type Link, type LinkHandlers } from './link.js';

/** The part of the EventSource API used here (the browser's, or the `eventsource` package's). */
export interface EventSourceLike {
  addEventListener(type: string, fn: (ev: { data?: unknown; code?: unknown }) => void): void;
  close(): void;
}
export type EventSourceCtor = new (url: string) => EventSourceLike;

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; text(): Promise<string> }>;

export function openSseLink(ES: EventSourceCtor, fetchFn: FetchLike, url: string, token: string | undefined, h: LinkHandlers): Link {
  const es = new ES(url);
  let done = false;
  let control: string | undefined;
  let controlPath: string | undefined;
  let queue: Promise<void> = Promise.resolve();

  const end = (reason: string) => {
    if (done) return;
    done = true;
    es.close();
    h.closed(reason);
  };

  for (const type of SERVER_MESSAGE_TYPES) {
    es.addEventListener(type, (ev) => {
      if (done) return;
      // 'error' is also the EventSource's own failure event: that one carries no data (the
      // `eventsource` package gives the HTTP status as `code`, e.g. 401; browsers do not).
      if (typeof ev.data !== 'string') return type === 'error' ? end(`SSE stream failed${typeof ev.code === 'number' ? ` (${ev.code})` : ''}`) : undefined;
      let msg: unknown;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (!isServerMessage(msg)) return;
      if (msg.type === 'hello') {
        controlPath = msg.control ?? `/sse/${msg.session}`;
        control = controlEndpoint(url, controlPath, token);
      }
      h.message(msg, ev.data.length);
    });
  }

  const post = async (msg: ClientMessage) => {
    if (done || !control) return;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    try {
      const res = await fetchFn(control, { method: 'POST', headers, body: JSON.stringify(msg) });
      const text = await res.text();
      if (done) return;
      if (res.status === 404) return end('SSE session ended');
      if (res.status === 401) return end('SSE control request refused (401)');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return;
      }
      if (isServerMessage(body)) h.message(body, text.length);
    } catch (err) {
      end(`SSE control request failed: ${(err as Error).message}`);
    }
  };

  return {
    kind: 'sse',
    get token() {
      return token;
    },
    setToken(t) {
      token = t;
      if (controlPath) control = controlEndpoint(url, controlPath, t);
    },
    send(msg) {
      queue = queue.then(() => post(msg));
    },
    close() {
      done = true;
      es.close();
    },
  };
}

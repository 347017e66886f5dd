/**
 * How a control POST on an SSE session is answered (pure). The hub answers a client message
 * with zero or more messages; HTTP has room for one. The rule:
 * - the body is the main answer: the first `subscribed`, `unsubscribed` or `pong`; for a
 *   `snapshot` request that took effect, a 202 `{type:"accepted"}` ack (the snapshot itself
 *   goes on the stream, so that the `prev` chain stays in order);
 * - when nothing took effect the body is the first `error`, with status 400 (429 for
 *   `rate_limited`);
 * - every other message (the `error` listing the refused part of a partly good request) goes
 *   on the event stream, exactly as WebSocket would deliver it.
 */
import type { ClientMessage, ServerMessage } from '../../shared/protocol.js';

export interface ControlAnswer {
  status: number;
  body: object;
  /** Messages to send on the session's event stream instead. */
  onStream: ServerMessage[];
}

/** `request` is the parsed body (any JSON value); `replies` what the hub answered, in order. */
export function controlAnswer(request: unknown, replies: ServerMessage[], now: number): ControlAnswer {
  const main = replies.findIndex((m) => m.type === 'subscribed' || m.type === 'unsubscribed' || m.type === 'pong' || m.type === 'refreshed');
  if (main >= 0) return { status: 200, body: replies[main], onStream: replies.filter((_, i) => i !== main) };
  const msg = request as Partial<ClientMessage>;
  if (msg.type === 'snapshot' && tookEffect(msg, replies)) {
    return { status: 202, body: { type: 'accepted', ...(typeof msg.id === 'number' ? { id: msg.id } : {}), t: now }, onStream: replies };
  }
  const err = replies.find((m) => m.type === 'error');
  if (!err) return { status: 202, body: { type: 'accepted', t: now }, onStream: replies };
  return { status: err.code === 'rate_limited' ? 429 : 400, body: err, onStream: replies.filter((m) => m !== err) };
}

/** A snapshot request took effect unless its errors refused every symbol or every channel. */
function tookEffect(msg: Partial<ClientMessage>, replies: ServerMessage[]): boolean {
  const symbols = new Set('symbols' in msg && Array.isArray(msg.symbols) ? msg.symbols : []);
  const channels = 'channels' in msg && Array.isArray(msg.channels) ? new Set(msg.channels) : undefined;
  for (const m of replies) {
    if (m.type !== 'error') continue;
    if (m.code === 'bad_request' || m.code === 'rate_limited') return false;
    for (const s of m.symbols ?? []) symbols.delete(s);
    for (const c of m.channels ?? []) channels?.delete(c);
  }
  return symbols.size > 0 && (channels === undefined || channels.size > 0);
}

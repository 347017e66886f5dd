/**
 * Validation of decoded client messages (pure). Anything that is not a well-formed protocol
 * message comes back as a `bad_request` with a message saying what is wrong.
 */
import type { ClientMessage, StreamPosition } from '../../shared/protocol.js';
import { parseRefresh } from '../auth/session-rights.js';

export type Parsed = { ok: true; msg: ClientMessage } | { ok: false; id?: number; message: string };

const TYPES = new Set(['subscribe', 'unsubscribe', 'snapshot', 'ping', 'refresh']);
/** Longest symbol or channel name accepted; longer ones are refused, not looked up. */
export const MAX_NAME = 32;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function parseClientMessage(v: unknown): Parsed {
  if (!isObject(v)) return { ok: false, message: 'a message must be a map' };
  const id = v.id;
  if (id !== undefined && id !== null && !Number.isSafeInteger(id)) return { ok: false, message: '`id` must be an integer' };
  const fail = (message: string): Parsed => ({ ok: false, id: id as number | undefined, message });
  const type = v.type;
  if (typeof type !== 'string') return fail('`type` must be a string');
  if (!TYPES.has(type)) return fail(`unknown type ${JSON.stringify(type.slice(0, MAX_NAME))}`);
  const base = id === undefined || id === null ? {} : { id: id as number };
  if (type === 'ping') {
    if (v.t !== undefined && v.t !== null && (typeof v.t !== 'number' || !Number.isFinite(v.t))) return fail('`t` must be a number');
    return { ok: true, msg: { type, ...base, ...(typeof v.t === 'number' ? { t: v.t } : {}) } };
  }
  if (type === 'refresh') {
    const r = parseRefresh(v, base.id);
    return r.ok ? r : fail(r.message);
  }
  if (!isStringArray(v.symbols) || v.symbols.length === 0) return fail('`symbols` must be a non-empty array of strings');
  if (v.channels !== undefined && v.channels !== null && (!isStringArray(v.channels) || v.channels.length === 0))
    return fail('`channels` must be a non-empty array of strings');
  const symbols = [...new Set(v.symbols)];
  const channels = Array.isArray(v.channels) ? [...new Set(v.channels as string[])] : undefined;
  if (type === 'subscribe') {
    const th = v.throttle;
    if (th !== undefined && th !== null && (typeof th !== 'number' || !Number.isFinite(th) || th < 0))
      return fail('`throttle` must be a number of milliseconds >= 0');
    let since: StreamPosition[] | undefined;
    if (v.since !== undefined && v.since !== null) {
      since = parseSince(v.since);
      if (!since) return fail('`since` must be an array of {s, ch, epoch, seq} (strings, and seq an integer >= 0)');
    }
    return {
      ok: true,
      msg: { type, ...base, symbols, ...(channels ? { channels } : {}), ...(typeof th === 'number' ? { throttle: th } : {}), ...(since ? { since } : {}) },
    };
  }
  return { ok: true, msg: { type: type as 'unsubscribe' | 'snapshot', ...base, symbols, ...(channels ? { channels } : {}) } };
}

/** Positions as a client holds them (protocol 1.1); undefined when any entry is malformed. Linear in the input. */
function parseSince(v: unknown): StreamPosition[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: StreamPosition[] = [];
  for (const p of v) {
    if (!isObject(p)) return undefined;
    const { s, ch, epoch, seq } = p;
    if (typeof s !== 'string' || typeof ch !== 'string' || typeof epoch !== 'string' || !Number.isSafeInteger(seq) || (seq as number) < 0) return undefined;
    // Over-long names can match no stream: kept cut, so that they cost nothing later.
    out.push({ s: s.slice(0, MAX_NAME + 1), ch: ch.slice(0, MAX_NAME + 1), epoch: epoch.slice(0, 64), seq: seq as number });
  }
  return out;
}

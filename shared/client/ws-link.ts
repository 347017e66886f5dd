/**
 * WebSocket link: binary MessagePack frames both ways. Works with the browser's WebSocket and
 * with `ws` in Node (both offer binaryType 'arraybuffer' and the on* handler properties).
 */
import { decode, encode } from '../codec.js';
import { isServerMessage, type Link, type LinkHandlers } from './link.js';

/** The part of the WebSocket API used here. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketCtor = new (url: string) => WebSocketLike;

const OPEN = 1;

/** `token`: the one in `url`, remembered for the owner (a WebSocket sends it only at the upgrade). */
export function openWsLink(Ctor: WebSocketCtor, url: string, h: LinkHandlers, token?: string): Link {
  const ws = new Ctor(url);
  ws.binaryType = 'arraybuffer';
  let done = false;
  ws.onmessage = (ev) => {
    if (done || typeof ev.data === 'string') return;
    const bytes = ev.data instanceof ArrayBuffer ? new Uint8Array(ev.data) : (ev.data as Uint8Array);
    const r = decode(bytes);
    if (r.ok && isServerMessage(r.value)) h.message(r.value, bytes.byteLength);
  };
  // Node's `ws` says why an upgrade failed ("Unexpected server response: 401"); browsers do not.
  let failure = '';
  ws.onclose = (ev) => {
    if (done) return;
    done = true;
    const why = ev.reason || failure;
    h.closed(`WebSocket closed (${ev.code}${why ? ` ${why}` : ''})`);
  };
  // Errors are followed by 'close'; a listener must stay, or `ws` throws on 'error'.
  ws.onerror = (ev) => {
    const m = (ev as { message?: unknown } | undefined)?.message;
    if (typeof m === 'string') failure = m;
  };
  return {
    kind: 'ws',
    get token() {
      return token;
    },
    setToken(t) {
      token = t;
    },
    send(msg) {
      if (!done && ws.readyState === OPEN) ws.send(encode(msg));
    },
    close() {
      done = true;
      try {
        ws.close(1000);
      } catch {
        // closing a socket that is still connecting may throw in some implementations
      }
    },
  };
}

/** The `hello` a session is greeted with (protocol 1.0 to 1.2). Pure. */
import { CHANNELS, PROTOCOL_MINOR, PROTOCOL_VERSION, type HelloMsg, type Limits } from '../../shared/protocol.js';
import type { Principal } from '../auth/authenticator.js';
import type { HistoryLimits } from '../history/stream-history.js';

export interface HelloParams {
  heartbeatMs: number;
  limits: Limits;
  /** Advertised in `hello.history` (1.1); absent: none kept. */
  history?: HistoryLimits;
  /** Advertised in `hello.book` (1.1 section 3). */
  book?: { depth: number };
}

/**
 * `session`'s hello at `t`. `clock`: the market clock (1.2; absent: live, no `clock` field);
 * `extra` fields (a transport's) come last.
 */
export function hello(p: HelloParams, session: { id: string; principal?: Principal }, t: number, clock?: HelloMsg['clock'], extra: Partial<HelloMsg> = {}): HelloMsg {
  return {
    type: 'hello',
    v: PROTOCOL_VERSION,
    minor: PROTOCOL_MINOR,
    session: session.id,
    t,
    heartbeat: p.heartbeatMs,
    channels: [...CHANNELS],
    limits: p.limits,
    history: { ms: p.history?.ms ?? 0, trades: p.history?.trades ?? 0 },
    ...(p.book ? { book: p.book } : {}),
    ...(session.principal?.expires !== undefined ? { expires: session.principal.expires } : {}),
    ...(clock ? { clock } : {}),
    ...extra,
  };
}

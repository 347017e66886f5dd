/**
 * JSON Schemas (TypeBox) of every message of protocol 1.1, client and server, keyed by the
 * name the AsyncAPI document gives them (asyncapi.ts). The same shapes travel as MessagePack
 * over /ws and as JSON over /sse. `type` is each message's discriminator.
 */
import { Type, type TSchema } from 'typebox';
import { Channel, ErrorCode, MarketClock, ReplayClockFields, SnapshotItem, StreamName, StreamPosition, SymbolName, UpdateItem } from './data-schemas.js';

const id = Type.Optional(Type.Integer({ description: "the request's id, echoed in its reply" }));
const t = Type.Number({ description: "the server's send time, ms since the Unix epoch" });
const symbols = Type.Array(SymbolName, { minItems: 1 });
const channels = Type.Array(Channel, { minItems: 1 });

const Limits = Type.Object({
  symbols: Type.Integer({ description: 'symbols per connection' }),
  throttle: Type.Object({ min: Type.Number(), max: Type.Number() }, { description: 'ms' }),
  rate: Type.Number({ description: 'control messages per second' }),
  payload: Type.Integer({ description: 'largest client message, bytes' }),
  connections: Type.Optional(Type.Integer({ description: 'open streams per client address' })),
  newConnections: Type.Optional(Type.Number({ description: 'new streams per second per client address' })),
});

/** Client to server. */
export const CLIENT_MESSAGES = {
  subscribe: Type.Object({
    type: Type.Literal('subscribe'),
    id,
    symbols,
    channels: Type.Optional(Type.Array(Channel, { minItems: 1, default: ['ticker'] })),
    throttle: Type.Optional(Type.Number({ minimum: 0, default: 0, description: 'ms: at most one item per stream per throttle; 0 = every event' })),
    since: Type.Optional(Type.Array(StreamPosition, { description: '1.1: positions held, for recovery' })),
  }),
  unsubscribe: Type.Object({ type: Type.Literal('unsubscribe'), id, symbols, channels: Type.Optional(Type.Array(Channel, { minItems: 1, description: "default: all of the symbols' channels" })) }),
  snapshot: Type.Object({ type: Type.Literal('snapshot'), id, symbols, channels: Type.Optional(Type.Array(Channel, { minItems: 1 })) }, { description: 'asks for fresh snapshots (after a gap)' }),
  ping: Type.Object({ type: Type.Literal('ping'), id, t: Type.Optional(Type.Number({ description: "the client's clock, echoed as pong.echo" })) }),
  refresh: Type.Object({ type: Type.Literal('refresh'), id, token: Type.String({ description: 'a new token (JWT), sent before hello.expires' }) }, { description: '1.1 section 4' }),
} satisfies Record<string, TSchema>;

/** Server to client. */
export const SERVER_MESSAGES = {
  hello: Type.Object(
    {
      type: Type.Literal('hello'),
      v: Type.Literal(1),
      minor: Type.Optional(Type.Integer({ description: '1 on a server speaking protocol 1.1, 2 on one speaking 1.2' })),
      session: Type.String(),
      t,
      heartbeat: Type.Number({ description: 'ms without other messages before a heartbeat' }),
      channels: Type.Array(Channel, { description: 'the channels served' }),
      limits: Limits,
      book: Type.Optional(Type.Object({ depth: Type.Integer({ description: 'levels per side in the book channel' }) })),
      history: Type.Optional(Type.Object({ ms: Type.Number(), trades: Type.Integer() }, { description: 'the recovery window (HISTORY_MS, HISTORY_TRADES)' })),
      expires: Type.Optional(Type.Number({ description: "when the connection's JWT expires, ms since the Unix epoch" })),
      control: Type.Optional(Type.String({ description: 'SSE only: the path of this session’s control POST' })),
      clock: Type.Optional(MarketClock),
    },
    { description: 'the first message of every connection' },
  ),
  subscribed: Type.Object({
    type: Type.Literal('subscribed'),
    id,
    symbols: Type.Array(SymbolName),
    channels: Type.Array(Channel),
    throttle: Type.Number({ description: 'the effective throttle, ms' }),
    recovered: Type.Optional(Type.Array(StreamName, { description: '1.1, with since: streams resumed by an update chained on the held seq' })),
    unrecovered: Type.Optional(Type.Array(StreamName, { description: '1.1, with since: streams answered with a snapshot' })),
    t,
  }),
  unsubscribed: Type.Object({ type: Type.Literal('unsubscribed'), id, symbols: Type.Array(SymbolName), channels: Type.Array(Channel), t }),
  snapshot: Type.Object({ type: Type.Literal('snapshot'), t, items: Type.Array(SnapshotItem) }),
  update: Type.Object({ type: Type.Literal('update'), t, items: Type.Array(UpdateItem) }, { description: 'everything due at one flush, for many streams' }),
  heartbeat: Type.Object({ type: Type.Literal('heartbeat'), t }),
  pong: Type.Object({ type: Type.Literal('pong'), id, echo: Type.Optional(Type.Number({ description: "the ping's t" })), t }),
  error: Type.Object({
    type: Type.Literal('error'),
    id,
    code: ErrorCode,
    message: Type.String(),
    symbols: Type.Optional(Type.Array(Type.String(), { description: 'the symbols refused' })),
    channels: Type.Optional(Type.Array(Type.String(), { description: 'the channels refused' })),
    t,
  }),
  clock: Type.Object({ type: Type.Literal('clock'), ...ReplayClockFields, t }, { description: '1.2 section 2: the replay clock changed other than by running (pause, resume, seek, speed, a loop, the end); `at` is the market time at `t`' }),
  refreshed: Type.Object({ type: Type.Literal('refreshed'), id, expires: Type.Optional(Type.Number({ description: "the new token's expiry, ms since the Unix epoch (absent for a static token)" })), t }, { description: '1.1 section 4' }),
} satisfies Record<string, TSchema>;

/** SSE only: the 202 body of a control POST whose answer goes on the event stream (a snapshot request). */
export const ACCEPTED = Type.Object({ type: Type.Literal('accepted'), id, t });

export const ERROR = SERVER_MESSAGES.error;

/**
 * Response schemas (TypeBox) of the REST routes (server/http/rest.ts), for the OpenAPI document.
 * Documentation only: rest.ts serializes with JSON.stringify, so these never filter or coerce
 * an answer, and they are typed `unknown` so that they leave the handlers' reply types alone.
 * Every answer that is not 2xx is the protocol's `error` object.
 */
import { Type } from 'typebox';
import { INTERVAL_NAMES } from '../../shared/protocol.js';
import { Candle, Channel, ErrorCode, SnapshotItem, SymbolInfo, SymbolName } from './data-schemas.js';

export const RestError = Type.Object(
  {
    type: Type.Literal('error'),
    code: ErrorCode,
    message: Type.String(),
    symbols: Type.Optional(Type.Array(Type.String(), { description: 'the symbols refused' })),
    channels: Type.Optional(Type.Array(Type.String(), { description: 'the channels refused' })),
    t: Type.Number(),
  },
  { description: 'an error in the protocol’s shape: 400 bad input, 401 token missing or expired, 403 forbidden, 404 unknown symbol, 503 unavailable' },
);

const ERROR_TEXT: Record<number, string> = {
  400: 'bad input (`bad_request`, `unknown_channel`, `limit_exceeded`)',
  401: 'a token is required (`unauthorized`) or expired (`token_expired`)',
  403: 'the token does not cover these symbols or channels (`forbidden`)',
  404: 'unknown symbol(s) (`unknown_symbol`)',
  503: 'the server cannot serve this now (`unavailable`); retry later',
};
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, { ...RestError, description: ERROR_TEXT[c] }]));

export const HEALTH_RESPONSES: unknown = {
  200: Type.Object(
    {
      status: Type.Literal('ok'),
      uptime: Type.Number({ description: 'seconds' }),
      sessions: Type.Integer({ description: 'open stream sessions on this node' }),
      channels: Type.Array(Channel),
    },
    { description: 'the server serves; more fields per role (symbols, feed and Redis state)', additionalProperties: true },
  ),
  503: Type.Object(
    { status: Type.Literal('degraded'), reason: Type.String({ description: 'what is wrong, e.g. no Redis master, or Redis did not answer a probe in time' }) },
    { description: 'a gateway that cannot reach a usable Redis master; more fields as for 200', additionalProperties: true },
  ),
};

export const SYMBOLS_RESPONSES: unknown = {
  200: Type.Array(SymbolInfo, { description: 'the symbols served (on a server with entitlements: those the token covers)' }),
  ...errors(401, 503),
};

export const SNAPSHOT_RESPONSES: unknown = {
  200: Type.Object(
    {
      type: Type.Literal('snapshot'),
      t: Type.Number(),
      items: Type.Array(SnapshotItem),
      unknown: Type.Optional(Type.Array(Type.String(), { description: 'symbols named but not served' })),
    },
    { description: 'the current state of each (symbol, channel), with seq and epoch' },
  ),
  ...errors(400, 401, 403, 404, 503),
};

export const CANDLES_RESPONSES: unknown = {
  200: Type.Object({ symbol: SymbolName, interval: Type.Enum(INTERVAL_NAMES), bars: Type.Array(Candle, { description: 'oldest first' }) }, { description: 'bars, oldest first' }),
  ...errors(400, 401, 403, 404, 503),
};

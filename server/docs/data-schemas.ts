/**
 * JSON Schemas (TypeBox) of the protocol's data: the states and deltas of every channel, the
 * items that carry them, positions and stream names (protocol-v1.md, protocol-v1.1.md). Shared
 * by the AsyncAPI document (asyncapi.ts) and the REST answers (rest-schemas.ts). Objects stay
 * open (`additionalProperties` unset): the protocol lets the server add fields, and clients
 * ignore unknown ones. Portable subset only: what JSON Schema draft-07 (AsyncAPI 3.0) and
 * 2020-12 (OpenAPI 3.1) read alike, so no tuple `items` (a book level is a 2-number array).
 */
import { Type, type TSchema } from 'typebox';
import { CHANNELS, ERROR_CODES, INTERVAL_NAMES } from '../../shared/protocol.js';

const ms = (description: string) => Type.Number({ description: `${description}, ms since the Unix epoch` });
const partial = <T extends Record<string, TSchema>>(props: T) => Type.Object(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, Type.Optional(v)])) as { [K in keyof T]: ReturnType<typeof Type.Optional<T[K]>> });

export const Channel = Type.Enum([...CHANNELS], { type: 'string', description: 'a channel this server serves (hello.channels)' });
export const CandleChannel = Type.Enum(INTERVAL_NAMES.map((i) => `candles:${i}`), { type: 'string', description: 'a candles channel: candles:<interval>' });
export const ErrorCode = Type.Enum([...ERROR_CODES], { type: 'string' });
export const SymbolName = Type.String({ description: 'a symbol, e.g. AAPL' });
export const Seq = Type.Integer({ minimum: 0, description: "the stream's sequence number: +1 per source event, within its epoch" });
export const Epoch = Type.String({ description: "the numbering a stream's seq belongs to (protocol 1.1 section 1)" });

const tickerFields = {
  last: Type.Number(),
  bid: Type.Number(),
  ask: Type.Number(),
  bidSize: Type.Number(),
  askSize: Type.Number(),
  open: Type.Number({ description: 'session open' }),
  high: Type.Number(),
  low: Type.Number(),
  volume: Type.Number(),
  ts: ms('source event time'),
};
export const Ticker = Type.Object(tickerFields, { description: 'the `ticker` state' });
export const TickerDelta = partial(tickerFields);

export const Trade = Type.Object({
  id: Type.Integer(),
  price: Type.Number(),
  size: Type.Number(),
  side: Type.Enum(['buy', 'sell'], { type: 'string' }),
  ts: ms('trade time'),
  xid: Type.Optional(Type.String({ description: "a recorded trade's own id at its source (protocol 1.2)" })),
});
export const Trades = Type.Array(Trade, { description: 'trades, oldest first' });

const candleFields = {
  time: Type.Integer({ description: "the bar's open time, SECONDS since the Unix epoch" }),
  open: Type.Number(),
  high: Type.Number(),
  low: Type.Number(),
  close: Type.Number(),
  volume: Type.Number(),
};
export const Candle = Type.Object(candleFields, { description: 'one bar' });
export const CandleDelta = partial(candleFields);

export const BookLevel = Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[price, size]; in an update, size 0 removes the level' });
const Checksum = Type.Integer({ minimum: 0, maximum: 4294967295, description: 'CRC32 of the top 10 levels per side (protocol 1.1 section 3)' });
export const Book = Type.Object(
  { bids: Type.Array(BookLevel, { description: 'best (highest) first' }), asks: Type.Array(BookLevel, { description: 'best (lowest) first' }), checksum: Checksum, ts: ms('source event time') },
  { description: 'the `book` state: the top hello.book.depth levels per side' },
);
export const BookDelta = Type.Object({ bids: Type.Optional(Type.Array(BookLevel)), asks: Type.Optional(Type.Array(BookLevel)), checksum: Checksum, ts: ms('source event time') }, { description: 'levels changed since prev' });

/** One branch per kind of channel: `ch` decides the shape of `d`. */
const byChannel = (fields: Record<string, TSchema>, ds: { ticker: TSchema; trades: TSchema; candles: TSchema; book: TSchema }, description: string) =>
  Type.Union(
    [
      Type.Object({ ch: Type.Literal('ticker'), ...fields, d: ds.ticker }),
      Type.Object({ ch: Type.Literal('trades'), ...fields, d: ds.trades }),
      Type.Object({ ch: CandleChannel, ...fields, d: ds.candles }),
      Type.Object({ ch: Type.Literal('book'), ...fields, d: ds.book }),
    ],
    { description },
  );

export const SnapshotItem = byChannel(
  { s: SymbolName, seq: Seq, epoch: Epoch },
  { ticker: Ticker, trades: Type.Array(Trade, { description: 'the most recent trades, newest last' }), candles: Candle, book: Book },
  "a stream's whole state; replaces the client's state and seq",
);
export const UpdateItem = byChannel(
  { s: SymbolName, seq: Seq, prev: Type.Integer({ minimum: 0, description: 'applies on top of the state at this seq' }), dropped: Type.Optional(Type.Integer({ minimum: 0, description: 'trades left out (throttled trades over the cap)' })) },
  { ticker: TickerDelta, trades: Trades, candles: CandleDelta, book: BookDelta },
  'what changed since prev: state channels the changed fields, trades the trades after prev',
);

export const StreamPosition = Type.Object({ s: SymbolName, ch: Type.String(), epoch: Epoch, seq: Seq }, { description: 'a position a client holds in one stream' });
export const StreamName = Type.Object({ s: SymbolName, ch: Channel });

export const SymbolInfo = Type.Object({
  symbol: SymbolName,
  name: Type.String(),
  kind: Type.Enum(['equity', 'etf', 'crypto', 'fx'], { type: 'string' }),
  decimals: Type.Integer({ minimum: 0, description: 'price decimals' }),
  tickSize: Type.Number(),
  currency: Type.String(),
  sizeDecimals: Type.Optional(Type.Integer({ minimum: 0, description: 'book sizes are multiples of 10^-sizeDecimals' })),
  exchange: Type.Optional(Type.String({ description: "the recording's exchange name (protocol 1.2, replay)" })),
  source: Type.Optional(Type.Enum(['sim', 'replay'], { type: 'string', description: 'where the data comes from (protocol 1.2)' })),
});

/** Protocol 1.2 section 2: the market clock of a replay (hello.clock, the `clock` message, /api/replay). */
export const ReplayClockFields = {
  mode: Type.Literal('replay'),
  speed: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Literal('max')], { description: 'market ms per wall ms, or "max" (as fast as the server can send)' }),
  at: ms('market time at `t`'),
  paused: Type.Boolean(),
  ended: Type.Boolean(),
  from: ms('first market time of the recording'),
  to: ms('last market time of the recording'),
};
export const MarketClock = Type.Union(
  [
    Type.Object({ mode: Type.Literal('live') }, { description: "market time is the server's wall clock" }),
    Type.Object({ ...ReplayClockFields, control: Type.Optional(Type.Boolean({ description: 'extension: whether this connection holds the replay right' })) }, { description: 'a recording played back' }),
  ],
  { description: 'the market clock (protocol 1.2 section 2)' },
);

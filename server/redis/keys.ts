/**
 * What the feed keeps in Redis for the gateways (the bus, the feed store and the gateway's view share this layout), and how each value is encoded (standard
 * MessagePack, like the wire). All names start with the prefix (default `tw:`):
 *
 * | key                       | type   | holds |
 * |---------------------------|--------|-------|
 * | `symbols`                 | string | SymbolInfo[] of the universe |
 * | `s:{SYM}`                 | hash   | per channel: `[seq, state]` (ticker fields, open bar; trades: `[seq, null]`); `epoch`: the symbol's streams' epoch; `gen`: `<feed run>/<n>`, the feed write that left it (written with the states) |
| `writer`                  | hash   | `src`: the Redis server (run id and replication id) the feed last proved holds all it published, or `stopped` after a clean stop |
 * | `h:{SYM}`                 | stream | recovery history: one entry per tick, id `<feed ms>-<n>`, field `e` = the tick's events as published; trimmed to HISTORY_MS by MINID |
 * | `t:{SYM}`                 | list   | the newest SNAPSHOT_TRADES trades, oldest first |
 * | `b:{SYM}:{interval}`      | list   | closed bars `[time, open, high, low, close, volume]`, oldest first |
 * | channel `e:{SYM}`         | pubsub | one tick's events of that symbol: `[epoch, ms, [[ch, seq, d], ...]]` in order |
 * | channel `feed`            | pubsub | the feed (re)wrote `symbols` |
 * | `clock`                   | string | FEED=replay: the replay clock `[state, t]` (ReplayClockState, `at` at wall time t), written on every change; absent: live |
 * | channel `clock`           | pubsub | the same value, published with each write |
 *
 * The open bar lives in the hash and the closed ones in the list, so a tick writes one hash per
 * symbol and pushes only the bars it closed. Each tick's writes and publishes go in one MULTI:
 * a reader sees a symbol either before or after a tick, never half of one.
 */
import { decode, encode } from '../../shared/codec.js';
import type { Candle, Channel, Trade } from '../../shared/protocol.js';
import type { StreamEvent } from '../market/stream-event.js';

export class Keys {
  readonly prefix: string;
  readonly symbols: string;
  readonly feedChannel: string;
  /** The feed's continuity marker (see feed-generations.ts). */
  readonly writer: string;
  /** The replay clock's key and channel (cluster/replay-clock-relay.ts). */
  readonly clock: string;

  constructor(prefix = 'tw:') {
    this.prefix = prefix;
    this.symbols = `${prefix}symbols`;
    this.feedChannel = `${prefix}feed`;
    this.writer = `${prefix}writer`;
    this.clock = `${prefix}clock`;
  }

  state = (sym: string): string => `${this.prefix}s:${sym}`;
  trades = (sym: string): string => `${this.prefix}t:${sym}`;
  bars = (sym: string, iv: string): string => `${this.prefix}b:${sym}:${iv}`;
  events = (sym: string): string => `${this.prefix}e:${sym}`;
  history = (sym: string): string => `${this.prefix}h:${sym}`;
  /** The symbol of an events channel name, or undefined for any other channel. */
  symbolOf(channel: string): string | undefined {
    const head = `${this.prefix}e:`;
    return channel.startsWith(head) ? channel.slice(head.length) : undefined;
  }
}

/** Throws on bytes that are not one MessagePack value: Redis holds only what the feed wrote. */
export function unpack<T>(bytes: Uint8Array): T {
  const r = decode(bytes);
  if (!r.ok) throw new Error(`bad value in Redis: ${r.error}`);
  return r.value as T;
}

export const packState = (seq: number, d: unknown): Buffer => encode([seq, d]) as Buffer;
export const unpackState = (b: Uint8Array): [number, Record<string, number> | null] => unpack(b);

export const packBar = (c: Candle): Buffer => encode([c.time, c.open, c.high, c.low, c.close, c.volume]) as Buffer;
export function unpackBar(b: Uint8Array): Candle {
  const [time, open, high, low, close, volume] = unpack<number[]>(b);
  return { time, open, high, low, close, volume };
}

export const packTrade = (t: Trade): Buffer => encode(t) as Buffer;
export const unpackTrade = (b: Uint8Array): Trade => unpack(b);

/** One symbol's events of one tick, as published and kept in its history: with the epoch and the feed's time (ms). */
export const packEvents = (epoch: string, at: number, events: StreamEvent[]): Buffer => encode([epoch, at, events.map((e) => [e.ch, e.seq, e.d])]) as Buffer;
/** Each event carries the packet's `epoch` and `at`. Throws on anything else. */
export function unpackEvents(symbol: string, b: Uint8Array): StreamEvent[] {
  const v = unpack<[string, number, [Channel, number, StreamEvent['d']][]]>(b);
  if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'number' || !Array.isArray(v[2])) throw new Error('bad events packet');
  const [epoch, at, list] = v;
  return list.map(([ch, seq, d]) => ({ s: symbol, ch, seq, d, epoch, at }));
}

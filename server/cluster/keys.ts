/**
 * What the feed keeps in Redis for the gateways, and how each value is encoded (standard
 * MessagePack, like the wire). All names start with the prefix (default `tw:`):
 *
 * | key                       | type   | holds |
 * |---------------------------|--------|-------|
 * | `symbols`                 | string | SymbolInfo[] of the universe |
 * | `s:{SYM}`                 | hash   | per channel: `[seq, state]` (ticker fields, open bar; trades: `[seq, null]`) |
 * | `t:{SYM}`                 | list   | the newest SNAPSHOT_TRADES trades, oldest first |
 * | `b:{SYM}:{interval}`      | list   | closed bars `[time, open, high, low, close, volume]`, oldest first |
 * | channel `e:{SYM}`         | pubsub | one tick's events of that symbol: `[[ch, seq, d], ...]` in order |
 * | channel `feed`            | pubsub | the feed (re)wrote `symbols` |
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

  constructor(prefix = 'tw:') {
    this.prefix = prefix;
    this.symbols = `${prefix}symbols`;
    this.feedChannel = `${prefix}feed`;
  }

  state = (sym: string): string => `${this.prefix}s:${sym}`;
  trades = (sym: string): string => `${this.prefix}t:${sym}`;
  bars = (sym: string, iv: string): string => `${this.prefix}b:${sym}:${iv}`;
  events = (sym: string): string => `${this.prefix}e:${sym}`;
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

/** One symbol's events of one tick, as published. */
export const packEvents = (events: StreamEvent[]): Buffer => encode(events.map((e) => [e.ch, e.seq, e.d])) as Buffer;
export function unpackEvents(symbol: string, b: Uint8Array): StreamEvent[] {
  return unpack<[Channel, number, StreamEvent['d']][]>(b).map(([ch, seq, d]) => ({ s: symbol, ch, seq, d }));
}

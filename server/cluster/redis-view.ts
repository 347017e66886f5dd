/**
 * The gateway's reads of what the feed keeps in Redis (layout in redis/keys.ts): the symbol list,
 * stream states with their seq, and candle history. Serves REST as a MarketView, and whole
 * symbols to the gateway's StateSource. Each read of one symbol is one MULTI, so it sees the
 * symbol between two feed ticks. Every snapshot carries the symbol's epoch.
 *
 * Honest answers: a symbol of the list whose state Redis does not hold (emptied, restarted, a
 * replica promoted before the feed rewrote it) is an error (REST: 503 `unavailable`), never
 * "unknown" or an empty history; reads give up after the connection's command timeout.
 */
import type { Redis } from 'ioredis';
import type { RedisLink } from '../redis/connection.js';
import { CHANNELS, type Candle, type Channel, type Interval, type SymbolInfo, type Trade } from '../../shared/protocol.js';
import type { MarketView } from '../http/market-view.js';
import type { StreamEvent, StreamSnapshot } from '../market/stream-event.js';
import { unpack, unpackBar, unpackEvents, unpackState, unpackTrade, type Keys } from '../redis/keys.js';

/** One symbol as read at one moment: its epoch and every stream's state. */
export interface SymbolRead {
  epoch: string;
  streams: Map<Channel, StreamSnapshot>;
}

export class RedisView implements MarketView {
  readonly #redis: Redis;
  readonly #keys: Keys;
  #symbols: SymbolInfo[] = [];
  #known = new Set<string>();

  constructor(link: RedisLink) {
    this.#redis = link.commands;
    this.#keys = link.keys;
  }

  /** Re-reads the symbol list; false when the feed has not written one yet. */
  async loadSymbols(): Promise<boolean> {
    const raw = await this.#redis.getBuffer(this.#keys.symbols);
    if (!raw) return false;
    this.#symbols = unpack<SymbolInfo[]>(raw);
    this.#known = new Set(this.#symbols.map((s) => s.symbol));
    return true;
  }

  has(symbol: string): boolean {
    return this.#known.has(symbol);
  }

  symbols(): SymbolInfo[] {
    return this.#symbols;
  }

  async snapshot(symbol: string, ch: Channel): Promise<StreamSnapshot | undefined> {
    if (!this.has(symbol)) return undefined;
    const tx = this.#redis.multi().hgetBuffer(this.#keys.state(symbol), ch).hget(this.#keys.state(symbol), 'epoch');
    if (ch === 'trades') tx.lrangeBuffer(this.#keys.trades(symbol), 0, -1);
    const r = await exec(tx);
    const raw = r[0] as Buffer | null;
    if (!raw) throw missing(symbol);
    const [seq, d] = unpackState(raw);
    return { s: symbol, ch, seq, epoch: (r[1] as string | null) ?? '', d: ch === 'trades' ? (r[2] as Buffer[]).map(unpackTrade) : (d ?? {}) };
  }

  /** Closed bars from the list, then the open bar from the state hash (read together). */
  async candles(symbol: string, iv: Interval, limit: number): Promise<Candle[] | undefined> {
    if (!this.has(symbol)) return undefined;
    const tx = this.#redis.multi();
    // LRANGE -0 -1 would be the whole list: with limit 1 only the open bar is wanted.
    if (limit > 1) tx.lrangeBuffer(this.#keys.bars(symbol, iv), -(limit - 1), -1);
    tx.hgetBuffer(this.#keys.state(symbol), `candles:${iv}`);
    const r = await exec(tx);
    const bars = limit > 1 ? (r[0] as Buffer[]).map(unpackBar) : [];
    const open = r.at(-1) as Buffer | null;
    if (!open) throw missing(symbol);
    bars.push(unpackState(open)[1] as unknown as Candle);
    return bars.slice(-limit);
  }

  /** Every stream of one symbol with the symbol's epoch; undefined when Redis does not hold all streams (yet). */
  async readSymbol(symbol: string): Promise<SymbolRead | undefined> {
    const r = await exec(this.#redis.multi().hgetallBuffer(this.#keys.state(symbol)).lrangeBuffer(this.#keys.trades(symbol), 0, -1));
    const hash = r[0] as Record<string, Buffer>;
    if (CHANNELS.some((ch) => !hash[ch])) return undefined;
    const epoch = hash.epoch?.toString() ?? '';
    const streams = new Map<Channel, StreamSnapshot>();
    for (const ch of CHANNELS) {
      const [seq, d] = unpackState(hash[ch]);
      const state: Record<string, number> | Trade[] = ch === 'trades' ? (r[1] as Buffer[]).map(unpackTrade) : (d ?? {});
      streams.set(ch, { s: symbol, ch, seq, epoch, d: state });
    }
    return { epoch, streams };
  }

  /** The symbol's recovery history (the feed's `h:` stream), events of `epoch` only, oldest first, each with its feed time `at`. */
  async readHistory(symbol: string, epoch: string): Promise<StreamEvent[]> {
    const entries = (await this.#redis.xrangeBuffer(this.#keys.history(symbol), '-', '+')) as [Buffer, Buffer[]][];
    const events: StreamEvent[] = [];
    for (const [, fields] of entries) {
      const packet = fields[1];
      if (!packet) continue;
      try {
        for (const e of unpackEvents(symbol, packet)) if (e.epoch === epoch) events.push(e);
      } catch {
        // an entry this version cannot read: positions before it are simply not recovered
      }
    }
    return events;
  }
}

const missing = (symbol: string): Error => new Error(`Redis holds no state for ${symbol} (emptied or replaced; the feed rewrites it)`);

async function exec(tx: ReturnType<Redis['multi']>): Promise<unknown[]> {
  const replies = await tx.exec();
  if (!replies) throw new Error('transaction discarded');
  return replies.map(([err, v]) => {
    if (err) throw err;
    return v;
  });
}

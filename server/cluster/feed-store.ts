/**
 * The feed's side of Redis (layout in redis/keys.ts): writes each tick's changes into the transaction
 * that publishes it, writes whole symbols (first start, or when Redis lost writes), and reads a
 * previous run's state back so that a restarted feed continues every stream's seq. Epochs
 * (protocol 1.1): a restored symbol keeps the epoch stored beside its state; a symbol found
 * without state (an empty or flushed Redis) is numbered afresh under this run's new epoch.
 * The book comes back as the window clients hold (`history.book`); the feed node then takes it
 * to the simulator's book with one ordinary event (see node/feed.ts). A symbol whose stored
 * book cannot be chained on (book-levels.ts `restorableBook`) is not restored at all.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisLink } from '../redis/connection.js';
import { CHANNELS, INTERVAL_NAMES, type Candle, type Channel, type Interval, type SymbolInfo, type Trade } from '../../shared/protocol.js';
import { encode } from '../../shared/codec.js';
import type { SymbolHistory } from '../feed/tick-source.js';
import { HISTORY_CAP, SNAPSHOT_TRADES, type MarketState, type SeqStart } from '../market/market-state.js';
import type { StreamEvent } from '../market/stream-event.js';
import { restorableBook } from './book-levels.js';
import type { Generations } from './feed-generations.js';
import { packBar, packState, packTrade, unpackBar, unpackState, unpackTrade, type Keys } from '../redis/keys.js';

/** What a previous feed left in Redis for one symbol. */
export interface Restored {
  history: SymbolHistory;
  seqs: SeqStart;
  trades: Trade[];
  /** Absent when a previous version stored no epoch (the symbol then gets a new one). */
  epoch?: string;
}

/** What restore needs of an instrument: its symbol and the number formats of its book. */
export type Formats = Pick<SymbolInfo, 'symbol' | 'decimals'> & { sizeDecimals: number };

/** RPUSH at most this many values per command (Redis takes more; this bounds one command's size). */
const PUSH_CHUNK = 1000;

export class FeedStore {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #market: MarketState;
  readonly #symbols: SymbolInfo[];
  /** Newest trades per symbol (MarketState keeps only those since this process started). */
  readonly #trades = new Map<string, Trade[]>();
  readonly #epochs = new Map<string, string>();
  /** The generation markers written with every state (feed-generations.ts). */
  readonly gens: Generations;

  /** `epoch`: this run's, for every symbol not restored with one of its own. */
  constructor(link: RedisLink, market: MarketState, symbols: SymbolInfo[], restored: Map<string, Restored>, epoch: string, gens: Generations) {
    this.gens = gens;
    this.#redis = link.commands;
    this.#keys = link.keys;
    this.#market = market;
    this.#symbols = symbols;
    for (const s of symbols) {
      const r = restored.get(s.symbol);
      this.#trades.set(s.symbol, r?.trades ?? []);
      this.#epochs.set(s.symbol, r?.epoch ?? epoch);
    }
  }

  /** These symbols' streams start a new epoch (Redis could not be shown to hold what they last published). */
  renew(symbols: readonly string[], epoch: string): void {
    for (const s of symbols) this.#epochs.set(s, epoch);
  }

  /** The symbol's epoch (published with its events, stored beside its state). */
  epochOf(symbol: string): string {
    return this.#epochs.get(symbol) ?? '';
  }

  /**
   * Reads every symbol's stored state and bar history. A symbol is restored only when all its
   * streams are stored and its book is one this run can continue (`depth`: BOOK_DEPTH, and the
   * symbol's number formats); its open bars, ticker, book and seqs come back exactly as last written.
   */
  static async restore({ commands, keys }: RedisLink, instruments: readonly Formats[], depth: number): Promise<Map<string, Restored>> {
    const symbols = instruments.map((i) => i.symbol);
    const p = commands.pipeline();
    for (const s of symbols) {
      p.hgetallBuffer(keys.state(s));
      p.lrangeBuffer(keys.trades(s), 0, -1);
      for (const iv of INTERVAL_NAMES) p.lrangeBuffer(keys.bars(s, iv), 0, -1);
    }
    const replies = (await p.exec()) ?? [];
    const per = 2 + INTERVAL_NAMES.length;
    const out = new Map<string, Restored>();
    symbols.forEach((s, i) => {
      const r = replies.slice(i * per, (i + 1) * per).map(([err, v]) => (err ? undefined : v));
      const hash = r[0] as Record<string, Buffer> | undefined;
      if (!hash || CHANNELS.some((ch) => !hash[ch])) return;
      const state = Object.fromEntries(CHANNELS.map((ch) => [ch, unpackState(hash[ch])])) as Record<Channel, ReturnType<typeof unpackState>>;
      const book = restorableBook(state.book[1], instruments[i]!, depth);
      if (!book) return;
      const bars = {} as Record<Interval, Candle[]>;
      INTERVAL_NAMES.forEach((iv, k) => {
        bars[iv] = ((r[2 + k] as Buffer[] | undefined) ?? []).map(unpackBar);
        bars[iv].push(state[`candles:${iv}`][1] as unknown as Candle);
      });
      const t = state.ticker[1] as Record<string, number>;
      out.set(s, {
        history: {
          bars,
          quote: { bid: t.bid, ask: t.ask, bidSize: t.bidSize, askSize: t.askSize },
          last: t.last,
          session: { open: t.open, high: t.high, low: t.low, volume: t.volume },
          book,
        },
        seqs: Object.fromEntries(CHANNELS.map((ch) => [ch, state[ch][0]])),
        trades: ((r[1] as Buffer[] | undefined) ?? []).map(unpackTrade),
        ...(hash.epoch ? { epoch: hash.epoch.toString() } : {}),
      });
    });
    return out;
  }

  /** Keeps the newest trades of every batch, written to Redis or not (for `writeAll`). */
  note(events: StreamEvent[]): void {
    for (const e of events) {
      if (e.ch !== 'trades') continue;
      const kept = this.#trades.get(e.s) ?? [];
      kept.push(e.d as Trade);
      if (kept.length > SNAPSHOT_TRADES * 2) kept.splice(0, kept.length - SNAPSHOT_TRADES);
      this.#trades.set(e.s, kept);
    }
  }

  /**
   * Adds one tick's writes to `tx` (the bus's publish transaction): the end-of-tick state of
   * every stream touched, the new trades, and the bars the tick closed. Call after the market
   * state applied the whole tick. Returns the callback that learns whether Redis applied it.
   */
  persist(tx: ChainableCommander, events: StreamEvent[]): (ok: boolean) => void {
    const touched = new Map<string, { chs: Set<Channel>; trades: Trade[]; opened: Partial<Record<Interval, number>> }>();
    for (const e of events) {
      let t = touched.get(e.s);
      if (!t) touched.set(e.s, (t = { chs: new Set(), trades: [], opened: {} }));
      t.chs.add(e.ch);
      if (e.ch === 'trades') t.trades.push(e.d as Trade);
      // A candle event carrying `time` opened a new bar: the one before it closed.
      else if (e.ch !== 'ticker' && 'time' in e.d) t.opened[e.ch.slice(8) as Interval] = (t.opened[e.ch.slice(8) as Interval] ?? 0) + 1;
    }
    const gen = this.gens.write([...touched.keys()]);
    for (const [s, t] of touched) {
      const fields: (string | Buffer)[] = ['gen', gen.marker];
      for (const ch of t.chs) fields.push(ch, this.#packed(s, ch));
      tx.hset(this.#keys.state(s), ...fields);
      if (t.trades.length) {
        tx.rpush(this.#keys.trades(s), ...t.trades.map(packTrade));
        tx.ltrim(this.#keys.trades(s), -SNAPSHOT_TRADES, -1);
      }
      for (const [iv, n] of Object.entries(t.opened) as [Interval, number][]) {
        const closed = (this.#market.candles(s, iv, n + 1) ?? []).slice(0, -1);
        if (!closed.length) continue;
        tx.rpush(this.#keys.bars(s, iv), ...closed.map(packBar));
        tx.ltrim(this.#keys.bars(s, iv), -(HISTORY_CAP[iv] - 1), -1);
      }
    }
    return gen.done;
  }

  /** Writes these symbols' generation markers (restored symbols, before the first publish); then the writer marker `src`. */
  async mark(symbols: readonly string[], src: string): Promise<void> {
    const tx = this.#redis.multi();
    const gen = this.gens.write(symbols);
    for (const s of symbols) tx.hset(this.#keys.state(s), 'gen', gen.marker);
    tx.hset(this.#keys.writer, 'src', src);
    try {
      failOn(await tx.exec());
      gen.done(true);
    } catch (err) {
      gen.done(false);
      throw err;
    }
  }

  /**
   * Replaces everything stored for these symbols (default: all) with the market state, one
   * transaction per symbol, then writes the symbol list and announces it. The transactions are
   * queued at once, so writes of later ticks land after them. With `src`, the writer marker
   * goes last (Redis then holds everything the feed published).
   */
  async writeAll(symbols: string[] = this.#symbols.map((s) => s.symbol), src?: string): Promise<void> {
    const done: Promise<unknown>[] = [];
    for (const s of symbols) {
      const tx = this.#redis.multi();
      const k = this.#keys;
      tx.del(k.state(s), k.trades(s), ...INTERVAL_NAMES.map((iv) => k.bars(s, iv)));
      const gen = this.gens.write([s]);
      tx.hset(k.state(s), ...CHANNELS.flatMap((ch) => [ch, this.#packed(s, ch)]), 'epoch', this.epochOf(s), 'gen', gen.marker);
      const trades = (this.#trades.get(s) ?? []).slice(-SNAPSHOT_TRADES);
      if (trades.length) tx.rpush(k.trades(s), ...trades.map(packTrade));
      for (const iv of INTERVAL_NAMES) {
        const closed = (this.#market.candles(s, iv, HISTORY_CAP[iv]) ?? []).slice(0, -1).map(packBar);
        for (let i = 0; i < closed.length; i += PUSH_CHUNK) tx.rpush(k.bars(s, iv), ...closed.slice(i, i + PUSH_CHUNK));
      }
      done.push(tx.exec().then(failOn).then(() => gen.done(true), (err: Error) => (gen.done(false), Promise.reject(err))));
    }
    done.push(this.#redis.set(this.#keys.symbols, encode(this.#symbols) as Buffer));
    await Promise.all(done);
    if (src !== undefined) await this.#redis.hset(this.#keys.writer, 'src', src);
    await this.#redis.publish(this.#keys.feedChannel, String(Date.now()));
  }

  #packed(s: string, ch: Channel): Buffer {
    const snap = this.#market.snapshot(s, ch);
    if (!snap) throw new Error(`unknown symbol ${s}`);
    return packState(snap.seq, ch === 'trades' ? null : snap.d);
  }
}

function failOn(replies: [Error | null, unknown][] | null): void {
  const err = replies === null ? new Error('transaction discarded') : replies.find(([e]) => e)?.[0];
  if (err) throw err;
}

/**
 * The dashboard's main stream: one MarketClient, its subscriptions, and the screen state fed
 * from it. Ticks land in plain maps; on the screen beat (below) the rows, the tape and the
 * chart get the latest values. Reactive state is written only there.
 */
import { tick } from 'svelte';
import type { Candle, Channel, Interval, Ticker, Trade } from '../../../shared/protocol.js';
import type { ClientStatus, MarketClientApi, StreamChange, TransportChoice } from '../../../shared/client/types.js';
import { fetchCandles } from '../lib/api.js';
import { LaneBeat, laneOf } from '../lib/cadence.js';
import { createClient } from '../lib/client.js';
import { replayClock } from './replay.svelte.js';
import type { FrameLoop } from '../lib/frame-loop.js';
import { SampleWindow } from '../lib/stats.js';
import { BOOK_CHANNEL, SubscriptionSync, type Focus, type Wanted } from '../lib/subscriptions.js';
import type { BookLevels } from '../lib/book-ladder.js';
import { Staleness } from './stale.svelte.js';
import { LinkHealth } from './link-health.svelte.js';
import { BookState } from './book.svelte.js';
import { QuoteRow } from './quote-row.svelte.js';
import { Tape } from './tape.svelte.js';

/**
 * News reaches the screen on a beat, at most every BEAT_MS: ten changes a second is as fast as a
 * number can be read, and the frames between beats have nothing to paint. The beat has LANES
 * lanes, BEAT_MS / LANES apart: the first half of the watchlist and the tape change on one, the
 * second half and the chart on the next, the order book on the third. Every row still changes ten times a second, each
 * frame carries half the work, and each damages one compact region of the screen. That is what
 * keeps a software-rendered page at 60 fps. Nothing is dropped: values are conflated (trades
 * collected) until their lane's next beat.
 */
export const BEAT_MS = 100;
/** Lanes 0 and 1 carry the watchlist (half each), the tape (0) and the chart (1); lane 2 the book. */
const LANES = 3;
const ROW_LANES = 2;
const BOOK_LANE = 2;


/** A live bar of the focused stream, with the symbol and interval it belongs to. */
export type BarListener = (bar: Candle, symbol: string, interval: Interval) => void;
/** Runs on each beat; returns true while it wants further beats (e.g. a flash still to end). */
export type BeatListener = (now: number) => boolean;

export class Market {
  readonly tape = new Tape();
  /** The focused symbol's order book (when the server has the `book` channel). */
  readonly book = new BookState();
  /** Since when the shown data may be out of date (the stream dropped); cleared when live. */
  readonly stale = new Staleness();
  /** The connection as the top bar tells it. */
  readonly link = new LinkHealth(this.stale);
  readonly #loop: FrameLoop;
  readonly #rows = new Map<string, QuoteRow>();
  #latencyMs = $state(NaN);
  #rttMs = $state(NaN);

  #client: MarketClientApi | undefined;
  #sync: SubscriptionSync | undefined;
  #offs: (() => void)[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #want: Wanted = new Map();
  #throttle = 0;
  #focus: Focus | undefined;

  // Pending for the next frame: plain data, never reactive.
  readonly #tickers = new Map<string, Ticker>();
  readonly #sparkWaiting = new Set<QuoteRow>();
  #bar: Candle | undefined;
  #trades: Trade[] = [];
  #tradesSnapshot: Trade[] | undefined;
  /** Trades of the focus were lost (an unrecovered stream, a gap): the tape marks the hole. */
  #tradesMissed = false;
  #book: BookLevels | undefined;
  /** The depth chart has not drawn the latest book yet (it redraws at its own, slower pace). */
  #depthWaiting = false;
  readonly #beat = new LaneBeat(BEAT_MS, LANES);
  /** Each watched symbol's lane, from the watchlist's order. */
  #lanes = new Map<string, number>();
  #beatWanted = false;
  readonly #barListeners = new Set<BarListener>();
  readonly #beatListeners = new Set<BeatListener>();
  readonly #latency = new SampleWindow(3000, 4096);
  readonly #sparkRequested = new Set<string>();

  constructor(loop: FrameLoop) {
    this.#loop = loop;
    loop.add((now) => this.#flush(now));
  }

  get status(): ClientStatus {
    return this.link.status;
  }
  /** Median transport latency (server send → browser) over the last 3 s, ms. */
  get latencyMs(): number {
    return this.#latencyMs;
  }
  get rttMs(): number {
    return this.#rttMs;
  }
  get reconnects(): number {
    return this.link.reconnects;
  }
  get lastError(): string {
    return this.link.lastError;
  }
  get tokenRefused(): boolean {
    return this.link.tokenRefused;
  }

  /** The row of `symbol`, made on first use (its sparkline history is fetched then). */
  row(symbol: string): QuoteRow {
    let r = this.#rows.get(symbol);
    if (!r) {
      r = new QuoteRow(symbol);
      this.#rows.set(symbol, r);
      const last = this.#client?.state<Ticker>(symbol, 'ticker');
      if (last) {
        this.#tickers.set(symbol, last.state);
        this.#loop.request();
      }
    }
    if (!this.#sparkRequested.has(symbol)) {
      this.#sparkRequested.add(symbol);
      const row = r;
      fetchCandles(symbol, '5m', row.spark.cap).then((bars) => row.loadSpark(bars)).catch(() => this.#sparkRequested.delete(symbol));
    }
    return r;
  }

  /** Connects (or reconnects with another transport); the wanted subscriptions carry over. */
  connect(transport: TransportChoice): void {
    this.close();
    const c = createClient(transport);
    this.#client = c;
    this.#sync = new SubscriptionSync(c);
    this.link.status = c.status;
    this.#offs = [
      c.on('status', (s) => this.link.follow(s)),
      c.on('change', (ch) => this.#onChange(ch)),
      c.on('latency', (s) => this.#latency.add(performance.now(), s.transportMs)),
      c.on('rtt', (ms) => (this.#rttMs = ms)),
      c.on('clock', (k) => replayClock.set(k, () => c.marketNow())), // protocol 1.2: the replay badge
      c.on('error', (e) => this.link.error(e.code, e.message)),
      // Every gap of the focused trades stream is lost trades; 'unrecovered' after a reconnect too.
      c.on('gap', (g) => {
        if (g.channel === 'trades' && g.symbol === this.#focus?.symbol) {
          this.#tradesMissed = true;
          this.#loop.request();
        }
      }),
    ];
    this.#timer = setInterval(() => {
      const [p50] = this.#latency.percentiles(performance.now(), [50]);
      this.#latencyMs = p50;
    }, 500);
    this.#sync.sync(this.#want, this.#throttle);
  }

  close(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
    clearInterval(this.#timer);
    this.#client?.close();
    this.#client = undefined;
    this.#sync = undefined;
    this.link.status = { state: 'closed' };
  }

  /** Sets what to stream: `want` from `wantedFor`, and the throttle (ms). */
  sync(want: Wanted, throttle: number, focus: Focus): void {
    this.#want = want;
    this.#throttle = throttle;
    const symbols = [...want.keys()]; // the watchlist's order, then the focus
    this.#lanes = new Map(symbols.map((s, i) => [s, laneOf(i, symbols.length, ROW_LANES)]));
    if (this.#focus?.symbol !== focus.symbol) {
      this.tape.clear();
      this.#trades = [];
      this.#tradesSnapshot = this.#client?.state<Trade[]>(focus.symbol, 'trades')?.state;
      this.#tradesMissed = false;
      this.book.clear();
      this.#depthWaiting = false;
      this.#book = this.#client?.state<BookLevels>(focus.symbol, BOOK_CHANNEL)?.state;
    }
    if (this.#focus?.symbol !== focus.symbol || this.#focus.interval !== focus.interval) this.#bar = undefined;
    this.#focus = focus;
    this.#sync?.sync(want, throttle);
    this.#loop.request();
  }

  /** Live bars of the focused symbol and interval, at most one per frame; returns the removal. */
  onBar(fn: BarListener): () => void {
    this.#barListeners.add(fn);
    return () => this.#barListeners.delete(fn);
  }

  /** Runs `fn` on every beat (and keeps beats coming while it returns true); returns the removal. */
  onBeat(fn: BeatListener): () => void {
    this.#beatListeners.add(fn);
    return () => this.#beatListeners.delete(fn);
  }

  #onChange(c: StreamChange): void {
    if (c.channel === 'ticker') {
      this.#tickers.set(c.symbol, c.state as Ticker);
    } else if (c.symbol !== this.#focus?.symbol) {
      return;
    } else if (c.channel === 'trades') {
      if (c.kind === 'snapshot') {
        this.#tradesSnapshot = c.state as Trade[];
        this.#trades = [];
      } else {
        for (const t of c.delta as Trade[]) this.#trades.push(t);
        if (this.#trades.length > 200) this.#trades.splice(0, this.#trades.length - 200);
      }
    } else if (c.channel === (`candles:${this.#focus.interval}` satisfies Channel)) {
      this.#bar = c.state as Candle;
    } else if (c.channel === BOOK_CHANNEL) {
      this.#book = c.state as BookLevels;
    } else {
      return;
    }
    this.#loop.request();
  }

  /** Anything for the screen, or a beat listener waiting for a beat. */
  #pending(): boolean {
    return this.#tickers.size > 0 || this.#sparkWaiting.size > 0 || this.#tradesSnapshot !== undefined || this.#trades.length > 0 ||
      this.#tradesMissed || this.#book !== undefined || this.#depthWaiting || this.#bar !== undefined || this.#beatWanted;
  }

  #flush(now: number): void {
    if (!this.#pending()) return;
    const lane = this.#beat.take(now);
    if (lane < 0) {
      this.#loop.request(); // not yet: the beat's frame takes the newest values
      return;
    }
    const ours = (symbol: string) => (this.#lanes.get(symbol) ?? 0) === lane;
    for (const [symbol, t] of this.#tickers) {
      if (!ours(symbol)) continue;
      const row = this.#rows.get(symbol);
      if (row?.setTicker({ ...t }, now)) this.#sparkWaiting.add(row);
      this.#tickers.delete(symbol);
    }
    for (const row of this.#sparkWaiting) if (ours(row.symbol) && !row.flushSpark(now)) this.#sparkWaiting.delete(row);

    if (lane === 0 && (this.#tradesSnapshot || this.#trades.length || this.#tradesMissed)) {
      if (this.#tradesMissed) this.tape.markMissed();
      this.#tradesMissed = false;
      if (this.#tradesSnapshot) this.tape.replace(this.#tradesSnapshot);
      if (this.#trades.length) this.tape.push(this.#trades);
      this.#tradesSnapshot = undefined;
      this.#trades = [];
    }

    if (lane === BOOK_LANE && this.#book) {
      if (this.book.set(this.#book, now)) this.#depthWaiting = true;
      this.#book = undefined;
    } else if (lane === BOOK_LANE && this.#depthWaiting) {
      this.#depthWaiting = this.book.flushDepth(now);
    }
    if (lane === 1 && this.#bar) {
      const bar = { ...this.#bar };
      this.#bar = undefined;
      const { symbol, interval } = this.#focus!;
      for (const fn of this.#barListeners) fn(bar, symbol, interval);
    }
    void tick().then(() => this.#afterBeat(now));
  }

  /** Once the beat's effects have run (and lit their flashes): the beat listeners, and the next frame if needed. */
  #afterBeat(now: number): void {
    this.#beatWanted = false;
    for (const fn of this.#beatListeners) if (fn(now)) this.#beatWanted = true;
    if (this.#pending()) this.#loop.request();
  }
}

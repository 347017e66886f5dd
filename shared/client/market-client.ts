/**
 * MarketClient: subscriptions that survive reconnects, the state of every stream kept by the
 * protocol's `prev` rule, gap repair by snapshot, latency figures; with a v1.1 server, recovery
 * (`since` on reconnect), verified books and token refresh. Connection handling is in
 * connector.ts, the state rules in stream-store.ts, their application and repair in
 * data-keeper.ts. No DOM and no Node modules: it runs in
 * browsers as is, and in Node 20 with `ws` and `eventsource` passed in the options.
 */
import type { Channel, ErrorMsg, HelloMsg, ServerMessage, SubscribedMsg } from '../protocol.js';
import { connectorOptions } from './client-options.js';
import { Connector } from './connector.js';
import { DataKeeper } from './data-keeper.js';
import { Emitter } from './emitter.js';
import { MarketClockTracker, type ClientClock } from './market-clock.js';
import type { Link } from './link.js';
import { dropRefused } from './refusals.js';
import { recoveryReport, resubscribeMessages, sentPositions } from './recovery.js';
import type { FetchLike } from './sse-link.js';
import { StreamStore } from './stream-store.js';
import { fetchSymbols } from './symbol-info.js';
import { refresherOn, type TokenRefresher } from './token-refresh.js';
import type { BookCheckCounts, ClientEvents, ClientOptions, ClientStatus, MarketClientApi, TransportKind } from './types.js';

const BOOK: Channel = 'book';

/** v1.1 fields this client reads that older type declarations may lack. */
type Hello11 = HelloMsg & { expires?: number };
type Refreshed = { type: 'refreshed'; id?: number; expires: number; t: number };

export class MarketClient implements MarketClientApi {
  readonly #events = new Emitter<ClientEvents>();
  readonly #store: StreamStore;
  /** symbol → channel → throttle asked for. */
  readonly #subs = new Map<string, Map<Channel, number>>();
  readonly #keeper: DataKeeper;
  readonly #conn: Connector;
  readonly #now: () => number;
  readonly #pingMs: number;
  readonly #fetch?: FetchLike;
  readonly #getToken?: () => string | Promise<string>;
  /** The seqs sent in `since` on the live connection, by stream key. */
  #sentSince = new Map<string, number>();
  #status: ClientStatus;
  #link?: Link;
  #hello?: HelloMsg;
  #pinger?: ReturnType<typeof setInterval>;
  #refresher?: TokenRefresher;
  /** The link the decimals were fetched for (once per connection). */
  #decimalsFor?: Link;
  #nextId = 1;
  readonly #clock = new MarketClockTracker();

  constructor(o: ClientOptions) {
    const opts = connectorOptions(o);
    this.#now = opts.now;
    this.#pingMs = o.pingMs ?? 10_000;
    this.#store = new StreamStore(o.tradesKept ?? 200);
    this.#keeper = new DataKeeper(this.#store, {
      events: this.#events,
      wants: (s, ch) => this.#wants(s, ch),
      requestSnapshot: (symbols, ch) => this.#link?.send({ type: 'snapshot', id: this.#nextId++, symbols, channels: [ch] }),
      marketNow: (now, newestTs) => (this.#clock.seen(newestTs), this.#clock.now(now)),
    });
    this.#fetch = opts.fetch;
    this.#getToken = o.getToken;
    this.#status = { state: 'connecting', url: opts.urls[0]!, transport: opts.transport === 'sse' ? 'sse' : 'ws' };
    this.#conn = new Connector(
      opts,
      {
        status: (s) => this.#setStatus(s),
        live: (link, hello) => this.#live(link, hello),
        message: (m, size, link) => this.#message(m, size, link.kind),
        down: () => this.#down(),
      },
    );
    // Started after the constructor returns, so that listeners added right away see 'connecting'.
    queueMicrotask(() => this.#conn.start());
  }

  get clock(): ClientClock {
    return this.#clock.clock;
  }

  marketNow(): number {
    return this.#clock.now(this.#now());
  }

  on<E extends keyof ClientEvents>(event: E, fn: ClientEvents[E]): () => void {
    return this.#events.on(event, fn);
  }

  get status(): ClientStatus {
    return this.#status;
  }

  /** The live connection's transport and session, when live. */
  get connection(): { transport: TransportKind; session: string } | undefined {
    return this.#link && this.#hello ? { transport: this.#link.kind, session: this.#hello.session } : undefined;
  }

  /** Every stream asked for, with its throttle. */
  get subscriptions(): { symbol: string; channel: Channel; throttle: number }[] {
    return [...this.#subs].flatMap(([symbol, chs]) => [...chs].map(([channel, throttle]) => ({ symbol, channel, throttle })));
  }

  subscribe(symbols: string[], opts: { channels?: Channel[]; throttle?: number } = {}): void {
    const channels = opts.channels ?? ['ticker'];
    const throttle = opts.throttle ?? 0;
    if (symbols.length === 0 || channels.length === 0) return;
    for (const s of symbols) {
      let chs = this.#subs.get(s);
      if (!chs) this.#subs.set(s, (chs = new Map()));
      for (const ch of channels) chs.set(ch, throttle);
    }
    this.#link?.send({ type: 'subscribe', id: this.#nextId++, symbols, channels, throttle });
    if (channels.includes(BOOK) && this.#link) this.#loadDecimals(this.#link);
  }

  unsubscribe(symbols: string[], channels?: Channel[]): void {
    for (const s of symbols) {
      const chs = this.#subs.get(s);
      if (!chs) continue;
      for (const ch of channels ?? [...chs.keys()]) {
        chs.delete(ch);
        this.#keeper.forget(s, ch);
      }
      if (chs.size === 0) this.#subs.delete(s);
    }
    if (symbols.length) this.#link?.send({ type: 'unsubscribe', id: this.#nextId++, symbols, ...(channels ? { channels } : {}) });
  }

  state<T = unknown>(symbol: string, channel: Channel): { seq: number; state: T; epoch?: string } | undefined {
    const st = this.#store.get(symbol, channel);
    return st && { seq: st.seq, state: st.state as T, ...(st.epoch !== undefined ? { epoch: st.epoch } : {}) };
  }

  get bookChecks(): BookCheckCounts {
    const { verified, mismatched, unverified } = this.#keeper.checks;
    return { verified, mismatched, unverified };
  }

  close(): void {
    this.#conn.close();
    this.#down();
    this.#setStatus({ state: 'closed' });
  }

  #setStatus(s: ClientStatus): void {
    this.#status = s;
    this.#events.emit('status', s);
  }

  /**
   * A new session: it knows nothing of ours, so everything is asked for again, with the
   * position of every stream held when the server can resume (`hello.history`).
   */
  #live(link: Link, hello: HelloMsg): void {
    this.#down();
    this.#link = link;
    this.#hello = hello;
    this.#store.bookDepth = hello.book?.depth ?? 0;
    this.#clock.set(hello.clock, hello.t);
    this.#events.emit('clock', this.#clock.clock);
    const positions = hello.history ? (streams: { symbol: string; channel: Channel }[]) => this.#store.positions(streams) : undefined;
    const msgs = resubscribeMessages(this.#subs, positions);
    this.#sentSince = sentPositions(msgs);
    for (const msg of msgs) link.send({ ...msg, id: this.#nextId++ });
    if ([...this.#subs.values()].some((chs) => chs.has(BOOK))) this.#loadDecimals(link);
    const expires = (hello as Hello11).expires;
    if (typeof expires === 'number' && this.#getToken) {
      this.#refresher = refresherOn(link, this.#getToken, this.#now, () => this.#nextId++);
      this.#refresher.arm(expires);
    }
    const ping = () => this.#link?.send({ type: 'ping', id: this.#nextId++, t: this.#now() });
    ping();
    this.#pinger = setInterval(ping, this.#pingMs);
  }

  #down(): void {
    clearInterval(this.#pinger);
    this.#pinger = undefined;
    this.#refresher?.stop();
    this.#refresher = undefined;
    this.#link = undefined;
    this.#hello = undefined;
    this.#keeper.reset();
    this.#sentSince = new Map();
  }

  /** Fetches `/api/symbols` once for this connection: the books' checksums need each symbol's decimals. */
  #loadDecimals(link: Link): void {
    if (!this.#fetch || this.#decimalsFor === link || this.#status.state !== 'live') return;
    this.#decimalsFor = link;
    this.#keeper.checks.loading();
    const failed = () => {
      if (this.#decimalsFor === link) this.#decimalsFor = undefined;
      this.#keeper.checks.giveUp();
    };
    fetchSymbols(this.#fetch, this.#status.url, link.token).then((body) => this.#keeper.decimals(body, this.#now()), failed);
  }

  #message(m: ServerMessage, size: number, transport: TransportKind): void {
    const now = this.#now();
    if (m.type === 'snapshot' || m.type === 'update') return this.#keeper.data(m, size, transport, now);
    if (m.type === 'pong' && typeof m.echo === 'number') return this.#events.emit('rtt', now - m.echo);
    if (m.type === 'subscribed') return this.#subscribed(m);
    if (m.type === 'clock') return void (this.#clock.set(m, m.t), this.#events.emit('clock', this.#clock.clock));
    if ((m.type as string) === 'refreshed') {
      const r = m as unknown as Refreshed;
      if (typeof r.expires === 'number') this.#refresher?.refreshed(r.id, r.expires);
      return;
    }
    if (m.type === 'error') this.#error(m);
  }

  #error(m: ErrorMsg): void {
    // Streams that will not come later (unknown, or not covered by the token): stop asking.
    for (const { symbol, channel } of dropRefused(this.#subs, m)) {
      this.#keeper.forget(symbol, channel);
    }
    if (m.code === 'unauthorized') this.#refresher?.refused(m.id);
    this.#events.emit('error', m);
    // The server closes next; reconnecting at once (with a fresh token) loses less.
    if (m.code === 'token_expired') this.#conn.reconnect('token_expired');
  }

  /** With `since`: streams resumed are reported as `recovered`, the others as gaps (their snapshot follows). */
  #subscribed(m: SubscribedMsg): void {
    const { recovered, unrecovered } = recoveryReport(m, this.#sentSince);
    if (recovered.length) this.#events.emit('recovered', { streams: recovered });
    for (const g of unrecovered) this.#events.emit('gap', g);
  }

  #wants(symbol: string, ch: Channel): boolean {
    return this.#subs.get(symbol)?.has(ch) ?? false;
  }
}

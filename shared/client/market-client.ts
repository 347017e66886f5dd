/**
 * MarketClient: subscriptions that survive reconnects, the state of every stream kept by the
 * protocol's `prev` rule, gap repair by snapshot, latency figures; with a v1.1 server, recovery
 * (`since` on reconnect), verified books and token refresh. Connection handling is in
 * connector.ts, the state rules in stream-store.ts. No DOM and no Node modules: it runs in
 * browsers as is, and in Node 20 with `ws` and `eventsource` passed in the options.
 */
import type { BookState } from '../book.js';
import { streamKey, type Channel, type ErrorMsg, type HelloMsg, type ServerMessage, type SnapshotMsg, type SubscribedMsg, type UpdateMsg } from '../protocol.js';
import { BookChecks } from './book-checks.js';
import { connectorOptions } from './client-options.js';
import { Connector } from './connector.js';
import { Emitter } from './emitter.js';
import type { Link } from './link.js';
import { dropRefused } from './refusals.js';
import { recoveryReport, resubscribeMessages, sentPositions } from './recovery.js';
import type { FetchLike } from './sse-link.js';
import { StreamStore } from './stream-store.js';
import { fetchSymbols } from './symbol-info.js';
import { refresherOn, type TokenRefresher } from './token-refresh.js';
import type { BookCheckCounts, ClientEvents, ClientOptions, ClientStatus, GapReason, MarketClientApi, TransportKind } from './types.js';

/** A gap's snapshot request is repeated if its snapshot has not come within this long (ms). */
const SNAPSHOT_RETRY_MS = 5000;
const BOOK: Channel = 'book';

/** v1.1 fields this client reads that older type declarations may lack. */
type Hello11 = HelloMsg & { expires?: number };
type Refreshed = { type: 'refreshed'; id?: number; expires: number; t: number };

export class MarketClient implements MarketClientApi {
  readonly #events = new Emitter<ClientEvents>();
  readonly #store: StreamStore;
  /** symbol → channel → throttle asked for. */
  readonly #subs = new Map<string, Map<Channel, number>>();
  /** Streams with a snapshot requested after a gap, and when. */
  readonly #pending = new Map<string, number>();
  readonly #conn: Connector;
  readonly #now: () => number;
  readonly #pingMs: number;
  readonly #fetch?: FetchLike;
  readonly #getToken?: () => string | Promise<string>;
  readonly #checks = new BookChecks();
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

  constructor(o: ClientOptions) {
    const opts = connectorOptions(o);
    this.#now = opts.now;
    this.#pingMs = o.pingMs ?? 10_000;
    this.#store = new StreamStore(o.tradesKept ?? 200);
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
        this.#store.delete(s, ch);
        this.#pending.delete(streamKey(s, ch));
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
    const { verified, mismatched, unverified } = this.#checks;
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
    this.#pending.clear();
    this.#sentSince = new Map();
  }

  /** Fetches `/api/symbols` once for this connection: the books' checksums need each symbol's decimals. */
  #loadDecimals(link: Link): void {
    if (!this.#fetch || this.#decimalsFor === link || this.#status.state !== 'live') return;
    this.#decimalsFor = link;
    this.#checks.loading();
    const failed = () => {
      if (this.#decimalsFor === link) this.#decimalsFor = undefined;
      this.#checks.giveUp();
    };
    fetchSymbols(this.#fetch, this.#status.url, link.token).then((body) => {
      const now = this.#now();
      const bad = this.#checks.setInfo(body).filter((s) => this.#brokenBook(s, now));
      if (bad.length) this.#link?.send({ type: 'snapshot', id: this.#nextId++, symbols: bad, channels: [BOOK] });
    }, failed);
  }

  #message(m: ServerMessage, size: number, transport: TransportKind): void {
    const now = this.#now();
    if (m.type === 'snapshot' || m.type === 'update') return this.#data(m, size, transport, now);
    if (m.type === 'pong' && typeof m.echo === 'number') return this.#events.emit('rtt', now - m.echo);
    if (m.type === 'subscribed') return this.#subscribed(m);
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
      this.#store.delete(symbol, channel);
      this.#pending.delete(streamKey(symbol, channel));
    }
    if (m.code === 'unauthorized') this.#refresher?.refused(m.id);
    this.#events.emit('error', m);
    // The server closes next; reconnecting at once (with a fresh token) loses less.
    if (m.code === 'token_expired') this.#conn.reconnect('token expired');
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

  #data(m: SnapshotMsg | UpdateMsg, size: number, transport: TransportKind, now: number): void {
    let newestTs: number | undefined;
    const gaps = new Map<Channel, string[]>();
    const gap = (s: string, ch: Channel) => gaps.set(ch, [...(gaps.get(ch) ?? []), s]);
    for (const item of m.items) {
      if (!this.#wants(item.s, item.ch)) continue;
      const ts = sourceTime(item.d);
      if (ts !== undefined && (newestTs === undefined || ts > newestTs)) newestTs = ts;
      let applied: { seq: number; state: unknown };
      if (m.type === 'snapshot') {
        applied = this.#store.applySnapshot(item);
        this.#pending.delete(streamKey(item.s, item.ch));
      } else {
        const it = item as UpdateMsg['items'][number];
        const r = this.#store.applyUpdate(it);
        if (!r.ok) {
          if (this.#gap(item.s, item.ch, r.have, it.prev, now, 'prev')) gap(item.s, item.ch);
          continue;
        }
        applied = r;
      }
      this.#events.emit('change', { symbol: item.s, channel: item.ch, seq: applied.seq, kind: m.type, state: applied.state, delta: item.d, t: m.t, receivedAt: now });
      if (item.ch === BOOK && this.#checks.check(item.s, applied.state as BookState) === 'mismatch' && this.#brokenBook(item.s, now)) gap(item.s, BOOK);
    }
    for (const [ch, symbols] of gaps) this.#link?.send({ type: 'snapshot', id: this.#nextId++, symbols, channels: [ch] });
    this.#events.emit('latency', { transport, transportMs: now - m.t, ...(newestTs !== undefined ? { ageMs: now - newestTs } : {}), bytes: size, items: m.items.length });
  }

  /** A book failed its checksum: its updates are refused until a snapshot; true when one should be requested. */
  #brokenBook(symbol: string, now: number): boolean {
    const st = this.#store.get(symbol, BOOK);
    if (!st || !this.#wants(symbol, BOOK)) return false;
    this.#store.markBroken(symbol, BOOK);
    return this.#gap(symbol, BOOK, st.seq, -1, now, 'checksum');
  }

  /** Records a gap; true when a snapshot should be requested (none asked for recently). */
  #gap(symbol: string, channel: Channel, have: number | undefined, prev: number, now: number, reason: GapReason): boolean {
    const key = streamKey(symbol, channel);
    const asked = this.#pending.get(key);
    if (asked !== undefined && now - asked < SNAPSHOT_RETRY_MS) return false;
    this.#pending.set(key, now);
    this.#events.emit('gap', { symbol, channel, have: have ?? -1, prev, reason });
    return true;
  }
}

/** The source time `ts` of an item's data: a state's `ts`, or the newest trade's. */
function sourceTime(d: unknown): number | undefined {
  const last = Array.isArray(d) ? d[d.length - 1] : d;
  const ts = (last as { ts?: unknown } | undefined)?.ts;
  return typeof ts === 'number' ? ts : undefined;
}

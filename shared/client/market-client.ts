/**
 * MarketClient: subscriptions that survive reconnects, the state of every stream kept by the
 * protocol's `prev` rule, gap repair by snapshot, latency figures. Connection handling is in
 * connector.ts, the state rules in stream-store.ts. No DOM and no Node modules: it runs in
 * browsers as is, and in Node 20 with `ws` and `eventsource` passed in the options.
 */
import { streamKey, type Channel, type HelloMsg, type ServerMessage, type SnapshotMsg, type UpdateMsg } from '../protocol.js';
import { Connector } from './connector.js';
import { Emitter } from './emitter.js';
import type { Link } from './link.js';
import type { EventSourceCtor, FetchLike } from './sse-link.js';
import { StreamStore } from './stream-store.js';
import type { ClientEvents, ClientOptions, ClientStatus, MarketClientApi, TransportKind } from './types.js';
import type { WebSocketCtor } from './ws-link.js';

/** A gap's snapshot request is repeated if its snapshot has not come within this long (ms). */
const SNAPSHOT_RETRY_MS = 5000;
/** Symbols per `subscribe` sent when resubscribing (keeps frames far below `limits.payload`). */
const SUBSCRIBE_CHUNK = 200;

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
  #status: ClientStatus;
  #link?: Link;
  #hello?: HelloMsg;
  #pinger?: ReturnType<typeof setInterval>;
  #nextId = 1;

  constructor(o: ClientOptions) {
    const urls = (Array.isArray(o.urls) ? o.urls : [o.urls]).filter(Boolean);
    if (urls.length === 0) throw new Error('MarketClient: at least one server URL is needed');
    const transport = o.transport ?? 'auto';
    const g = globalThis as { WebSocket?: unknown; EventSource?: unknown; fetch?: unknown };
    const WebSocket = (o.WebSocket ?? g.WebSocket) as WebSocketCtor | undefined;
    const EventSource = (o.EventSource ?? g.EventSource) as EventSourceCtor | undefined;
    const fetchFn = (o.fetch ?? (g.fetch ? (g.fetch as FetchLike).bind(globalThis) : undefined)) as FetchLike | undefined;
    if (transport !== 'sse' && !WebSocket && (transport === 'ws' || !EventSource))
      throw new Error('MarketClient: no WebSocket implementation (in Node, pass `ws` as options.WebSocket)');
    if (transport === 'sse' && !EventSource)
      throw new Error('MarketClient: no EventSource implementation (in Node, pass `eventsource` as options.EventSource)');
    this.#now = o.now ?? Date.now;
    this.#pingMs = o.pingMs ?? 10_000;
    this.#store = new StreamStore(o.tradesKept ?? 200);
    this.#status = { state: 'connecting', url: urls[0], transport: transport === 'sse' ? 'sse' : 'ws' };
    this.#conn = new Connector(
      {
        urls,
        transport,
        WebSocket,
        EventSource,
        fetch: fetchFn,
        token: o.token,
        baseDelayMs: o.baseDelayMs ?? 500,
        maxDelayMs: o.maxDelayMs ?? 30_000,
        wsRetryMs: o.wsRetryMs ?? 60_000,
        connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
        now: this.#now,
        random: o.random ?? Math.random,
      },
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

  state<T = unknown>(symbol: string, channel: Channel): { seq: number; state: T } | undefined {
    return this.#store.get(symbol, channel) as { seq: number; state: T } | undefined;
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

  /** A new session: it knows nothing of ours, so everything is asked for again. */
  #live(link: Link, hello: HelloMsg): void {
    this.#down();
    this.#link = link;
    this.#hello = hello;
    const groups = new Map<string, { channels: Channel[]; throttle: number; symbols: string[] }>();
    for (const [symbol, chs] of this.#subs) {
      const byThrottle = new Map<number, Channel[]>();
      for (const [ch, t] of chs) byThrottle.set(t, [...(byThrottle.get(t) ?? []), ch]);
      for (const [throttle, channels] of byThrottle) {
        const key = `${throttle}|${channels.join(',')}`;
        const g = groups.get(key) ?? { channels, throttle, symbols: [] };
        g.symbols.push(symbol);
        groups.set(key, g);
      }
    }
    for (const { channels, throttle, symbols } of groups.values()) {
      for (let i = 0; i < symbols.length; i += SUBSCRIBE_CHUNK)
        link.send({ type: 'subscribe', id: this.#nextId++, symbols: symbols.slice(i, i + SUBSCRIBE_CHUNK), channels, throttle });
    }
    const ping = () => this.#link?.send({ type: 'ping', id: this.#nextId++, t: this.#now() });
    ping();
    this.#pinger = setInterval(ping, this.#pingMs);
  }

  #down(): void {
    clearInterval(this.#pinger);
    this.#pinger = undefined;
    this.#link = undefined;
    this.#hello = undefined;
    this.#pending.clear();
  }

  #message(m: ServerMessage, size: number, transport: TransportKind): void {
    const now = this.#now();
    if (m.type === 'snapshot' || m.type === 'update') return this.#data(m, size, transport, now);
    if (m.type === 'pong' && typeof m.echo === 'number') return this.#events.emit('rtt', now - m.echo);
    if (m.type !== 'error') return;
    // A symbol or channel the server does not have will not appear later: stop asking for it.
    if (m.code === 'unknown_symbol') for (const s of m.symbols ?? []) this.#subs.delete(s);
    if (m.code === 'unknown_channel') {
      for (const [s, chs] of this.#subs) {
        for (const c of m.channels ?? []) chs.delete(c as Channel);
        if (chs.size === 0) this.#subs.delete(s);
      }
    }
    this.#events.emit('error', m);
  }

  #wants(symbol: string, ch: Channel): boolean {
    return this.#subs.get(symbol)?.has(ch) ?? false;
  }

  #data(m: SnapshotMsg | UpdateMsg, size: number, transport: TransportKind, now: number): void {
    let newestTs: number | undefined;
    const gaps = new Map<Channel, string[]>();
    for (const item of m.items) {
      if (!this.#wants(item.s, item.ch)) continue;
      const ts = sourceTime(item.d);
      if (ts !== undefined && (newestTs === undefined || ts > newestTs)) newestTs = ts;
      let applied: { seq: number; state: unknown };
      if (m.type === 'snapshot') {
        applied = this.#store.applySnapshot(item);
        this.#pending.delete(streamKey(item.s, item.ch));
      } else {
        const r = this.#store.applyUpdate(item as UpdateMsg['items'][number]);
        if (!r.ok) {
          if (this.#gap(item.s, item.ch, r.have, (item as UpdateMsg['items'][number]).prev, now)) gaps.set(item.ch, [...(gaps.get(item.ch) ?? []), item.s]);
          continue;
        }
        applied = r;
      }
      this.#events.emit('change', { symbol: item.s, channel: item.ch, seq: applied.seq, kind: m.type, state: applied.state, delta: item.d, t: m.t, receivedAt: now });
    }
    for (const [ch, symbols] of gaps) this.#link?.send({ type: 'snapshot', id: this.#nextId++, symbols, channels: [ch] });
    this.#events.emit('latency', { transport, transportMs: now - m.t, ...(newestTs !== undefined ? { ageMs: now - newestTs } : {}), bytes: size, items: m.items.length });
  }

  /** Records a gap; true when a snapshot should be requested (none asked for recently). */
  #gap(symbol: string, channel: Channel, have: number | undefined, prev: number, now: number): boolean {
    const key = streamKey(symbol, channel);
    const asked = this.#pending.get(key);
    if (asked !== undefined && now - asked < SNAPSHOT_RETRY_MS) return false;
    this.#pending.set(key, now);
    this.#events.emit('gap', { symbol, channel, have: have ?? -1, prev });
    return true;
  }
}

/** The source time `ts` of an item's data: a state's `ts`, or the newest trade's. */
function sourceTime(d: unknown): number | undefined {
  const last = Array.isArray(d) ? d[d.length - 1] : d;
  const ts = (last as { ts?: unknown } | undefined)?.ts;
  return typeof ts === 'number' ? ts : undefined;
}

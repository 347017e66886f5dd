/**
 * The fan-out core, sessions side: opening and closing sessions, admitting their control
 * messages (rate limit, validation, one at a time, a bounded wait on the bus), hello and
 * heartbeats. The streams they hold live in the StreamTable (stream-table.ts); events from the
 * bus update it and mark subscribers dirty; the FlushClock (flush-clock.ts) decides when each
 * session flushes. One timer drives every throttled flush, another heartbeats and pruning.
 */
import { randomUUID } from 'node:crypto';
import type { Decoded } from '../../shared/codec.js';
import { CHANNELS, CLOSE, PROTOCOL_MINOR, PROTOCOL_VERSION, type Channel, type ErrorCode, type HelloMsg, type Limits, type StreamPosition } from '../../shared/protocol.js';
import type { HistoryLimits, Recovery } from '../history/stream-history.js';
import type { StreamEvent, StreamSnapshot } from '../market/stream-event.js';
import { handleControl, Unavailable, type ControlPort, type Reply } from './control.js';
import { Session, type FlushPolicy, type SessionHooks, type Sub } from './session.js';
import type { StateSource } from './state-source.js';
import type { StreamSink } from './stream-sink.js';
import type { StreamRecord } from './stream-record.js';
import { StreamTable } from './stream-table.js';
import type { Transport } from './transport.js';
import { parseClientMessage } from './validate.js';
import { TokenBucket } from '../lib/token-bucket.js';
import { FlushClock, type FlushClockOptions } from './flush-clock.js';
import { roundThrottle } from './throttle-steps.js';
import type { Authenticator, Principal } from '../auth/authenticator.js';
import { cutoffAt, ExpiryQueue, type Forbidden } from '../auth/session-rights.js';
import { QuietLog, type LineLogger } from '../lib/quiet-log.js';
import { SLICE, SliceBudget, Turns } from './turns.js';

export type { StateSource } from './state-source.js';

export interface HubOptions {
  source: StateSource;
  limits: Limits;
  heartbeatMs: number;
  policy: FlushPolicy;
  /** Advertised in `hello.history` (protocol 1.1); the source's history holds it. */
  history?: HistoryLimits;
  now?: () => number;
  /** Period of the shared flush clock, ms: throttles are rounded up to a served step. */
  tickMs?: number;
  /** How flush passes are sliced and when a session counts as late (flush-clock.ts; defaults there). */
  flush?: Pick<FlushClockOptions, 'sliceMs' | 'elapsed' | 'lateMs' | 'defer'>;
  /** How long a control step waits for the source before answering `unavailable`, ms. */
  controlTimeoutMs?: number;
  /** How long a stream record nobody subscribes to is kept, ms. */
  recordLingerMs?: number;
  /** Control slices (turns.ts's SLICE by default): ms of work, and the fewest and most streams per `snapshot` part. */
  slice?: { ms: number; min: number; max: number };
  /** Where failures of one session go (that session is closed 1011). */
  log?: (msg: string) => void;
  /** Verifies `refresh` tokens and gives the expiry leeway (1.1 section 4); absent: no tokens. */
  auth?: Authenticator;
  /** Advertised in `hello.book` (protocol 1.1 section 3). */
  book?: { depth: number };
}

export interface HubStats {
  sessions: number;
  items: number;
  frames: number;
  bytes: number;
  slowConsumers: number;
  /** State events folded into a later item, and trades left out of items (`dropped`). */
  conflated: number;
  dropped: number;
  /** Control messages refused by the rate limit. */
  rateLimited: number;
  /** Sessions closed 1011 because their flush failed. */
  failed: number;
  /** Streams a `since` asked for, by outcome (1.1 section 2). */
  recovered: number;
  unrecovered: number;
  /** `forbidden` refusals on streams, and connections cut at their token's expiry. */
  forbidden: number;
  tokenExpired: number;
}

export class Hub implements ControlPort, StreamSink {
  readonly limits: Limits;
  readonly heartbeatMs: number;
  readonly policy: FlushPolicy;
  readonly source: StateSource;
  readonly history?: HistoryLimits;
  readonly now: () => number;
  readonly tickMs: number;
  readonly streams: StreamTable;
  readonly stats: HubStats = { sessions: 0, items: 0, frames: 0, bytes: 0, slowConsumers: 0, conflated: 0, dropped: 0, rateLimited: 0, failed: 0, recovered: 0, unrecovered: 0, forbidden: 0, tokenExpired: 0 };
  readonly auth?: Authenticator;
  readonly book?: { depth: number };
  /** Sessions by when their token runs out, polled by beat(): no timer per connection. */
  readonly #cutoffs = new ExpiryQueue<Session>();
  /** Protocol 1.2: the market clock for a session's hello (absent: live, no `clock` field). */
  clock?: (session: Session) => HelloMsg['clock'];
  /** Metrics probe: once per unthrottled flush pass, ms from the newest batch's event `ts` to now. */
  delayProbe?: (ms: number) => void;
  log: (msg: string) => void;
  /** Where refusals go as info lines (the app's logger); rate-limited by #refusals. */
  info: LineLogger = () => {};
  readonly #refusals: QuietLog;
  #batchTs = 0;
  readonly #controlTimeoutMs: number;
  readonly #sessions = new Set<Session>();
  readonly #clock: FlushClock;
  readonly #hooks: SessionHooks;
  #ticker?: NodeJS.Timeout;
  #beater?: NodeJS.Timeout;
  readonly #turns = new Turns();
  readonly #slice: { ms: number; min: number; max: number };

  constructor(o: HubOptions) {
    this.source = o.source;
    this.limits = o.limits;
    this.heartbeatMs = o.heartbeatMs;
    this.policy = o.policy;
    this.history = o.history;
    this.auth = o.auth;
    this.book = o.book;
    this.now = o.now ?? Date.now;
    this.tickMs = o.tickMs ?? 10;
    this.#controlTimeoutMs = o.controlTimeoutMs ?? 5000;
    this.#slice = o.slice ?? SLICE;
    this.log = o.log ?? ((m) => console.error(m));
    this.#refusals = new QuietLog((obj, msg) => this.info(obj, msg), this.now);
    this.streams = new StreamTable(o.source, o.recordLingerMs ?? 10_000);
    this.#clock = new FlushClock({
      ...o.flush,
      now: this.now,
      tickMs: this.tickMs,
      onFail: (s, err) => this.#fail(s, err),
      onUnthrottledFlush: (now) => {
        if (this.delayProbe && this.#batchTs) this.delayProbe(now - this.#batchTs);
      },
    });
    this.#hooks = {
      enqueue: (sub) => this.#clock.enqueue(sub),
      retry: (s) => this.#clock.retry(s),
      cut: (s) => {
        this.stats.slowConsumers++;
        this.close(s);
      },
    };
  }

  start(): void {
    this.#ticker ??= setInterval(() => this.tick(this.now()), this.tickMs);
    this.#beater ??= setInterval(() => this.beat(this.now()), Math.max(50, Math.min(1000, this.heartbeatMs / 4)));
  }

  stop(): void {
    clearInterval(this.#ticker);
    clearInterval(this.#beater);
    this.#ticker = this.#beater = undefined;
  }

  get sessions(): ReadonlySet<Session> {
    return this.#sessions;
  }

  /** Rounds a requested throttle to a served step (throttle-steps.ts) within the limits. */
  roundThrottle(ms: number): number {
    return roundThrottle(ms, this.limits.throttle, this.tickMs);
  }

  /** A session for a new connection; `principal` is who the access guard found (absent: open server). */
  open(transport: Transport, principal?: Principal): Session {
    const s = new Session(randomUUID(), transport, new TokenBucket(this.limits.rate, this.limits.rate * 2, this.now()), this.stats, this.policy, this.#hooks);
    s.lastSendAt = this.now();
    s.principal = principal;
    this.#cutoffs.set(s, cutoffAt(principal, this.auth?.leewayMs ?? 0));
    this.#sessions.add(s);
    this.stats.sessions = this.#sessions.size;
    return s;
  }

  hello(session: Session, extra: Partial<HelloMsg> = {}): HelloMsg {
    return {
      type: 'hello',
      v: PROTOCOL_VERSION,
      minor: PROTOCOL_MINOR,
      session: session.id,
      t: this.now(),
      heartbeat: this.heartbeatMs,
      channels: [...CHANNELS],
      limits: this.limits,
      history: { ms: this.history?.ms ?? 0, trades: this.history?.trades ?? 0 },
      ...(this.book ? { book: this.book } : {}),
      ...(session.principal?.expires !== undefined ? { expires: session.principal.expires } : {}),
      ...(this.clock ? { clock: this.clock(session) } : {}),
      ...extra,
    };
  }

  /** Frees a session and its subscriptions at once. */
  close(session: Session): void {
    if (!this.#sessions.delete(session)) return;
    session.closed = true;
    this.#cutoffs.set(session, undefined);
    const now = this.now();
    for (const sub of session.subs.values()) this.streams.detach(sub, now);
    session.subs.clear();
    session.dirty = [];
    session.pending = [];
    this.#clock.forget(session);
    this.stats.sessions = this.#sessions.size;
  }

  /** One `forbidden` refusal on streams: counted for /metrics, and one info line naming the token's `sub` (a flood logs one line a second). */
  forbidden(s: Session, refused: Forbidden): void {
    this.stats.forbidden++;
    this.#refusals.line({ session: s.id, sub: s.principal?.sub, ...refused }, 'stream request forbidden');
  }

  /** A session's flush threw: it alone is closed 1011, logged; every other session goes on. */
  #fail(s: Session, err: unknown): void {
    this.stats.failed++;
    this.log(`session ${s.id}: flush failed, closing it: ${(err as Error)?.stack ?? String(err)}`);
    try {
      s.transport.close(CLOSE.internal, 'internal error');
    } catch {
      // the transport is already gone
    }
    this.close(s);
  }

  /**
   * Takes one decoded client frame: validates it, applies the rate limit, handles it in order.
   * Every answer (including errors) goes to `reply`, by default the session's own stream.
   * Resolves when the message has been handled.
   */
  receive(session: Session, decoded: Decoded, reply: Reply = (m) => session.send(m, this.now())): Promise<void> {
    const now = this.now();
    const error = (code: ErrorCode, message: string, id?: number) =>
      reply({ type: 'error', ...(id !== undefined ? { id } : {}), code, message, t: this.now() });
    const admitted = this.#admit(session, now);
    // Answers keep the order of the requests, errors included.
    let step: () => void | Promise<void>;
    let id: number | undefined;
    if (admitted !== true) step = () => void (admitted && error('rate_limited', admitted));
    else if (!decoded.ok) step = () => error('bad_request', decoded.error);
    else {
      const parsed = parseClientMessage(decoded.value);
      id = parsed.ok ? parsed.msg.id : parsed.id;
      step = parsed.ok ? () => handleControl(this, session, parsed.msg, reply) : () => error('bad_request', parsed.message, parsed.id);
    }
    return (session.queue = session.queue.then(step).catch((err: Error) => {
      this.log(`session ${session.id}: control step failed: ${err?.stack ?? String(err)}`);
      error('bad_request', 'request failed', id);
    }));
  }

  /**
   * Token bucket on control messages: true when admitted; else the refusal to report (or ''
   * when already reported recently). A client that keeps going after refusals is closed 1008.
   */
  #admit(s: Session, now: number): true | string {
    if (s.bucket.take(now)) {
      s.refusals = 0;
      return true;
    }
    const rate = this.limits.rate;
    this.stats.rateLimited++;
    if (++s.refusals > rate * 2) {
      s.error('rate_limited', 'closing: control messages kept coming past the rate limit', now);
      s.transport.close(CLOSE.policy, 'rate limit exceeded repeatedly');
      this.close(s);
      return '';
    }
    return s.refusals === 1 || s.refusals % rate === 0 ? `more than ${rate} control messages per second` : '';
  }

  // ---- ControlPort

  isSymbol(symbol: string): boolean {
    return this.source.isSymbol(symbol);
  }

  /** Waits for the source at most controlTimeoutMs; then rejects with Unavailable (the wait goes on unobserved). */
  prepare(symbols: string[], since?: StreamPosition[]): Promise<void> | void {
    const p = this.source.prepare?.(symbols, since);
    if (!p) return;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Unavailable('source did not answer')), this.#controlTimeoutMs);
    });
    return Promise.race([p, limit]).finally(() => clearTimeout(timer));
  }

  cold(symbol: string): boolean {
    return this.source.cold?.(symbol) ?? false;
  }

  warm(symbols: string[], owner: object): Promise<void> {
    return this.source.warm?.(symbols, owner) ?? Promise.resolve();
  }

  turn(): Promise<void> {
    return this.#turns.next();
  }

  budget(): SliceBudget {
    const { ms, min, max } = this.#slice;
    return new SliceBudget(() => performance.now(), ms, min, max);
  }

  /** The record of a stream, created from the source's snapshot on first use. */
  record(symbol: string, ch: Channel): StreamRecord<Sub> {
    return this.streams.record(symbol, ch, this.now());
  }

  attach(sub: Sub): void {
    this.streams.attach(sub);
  }

  detach(sub: Sub): void {
    this.streams.detach(sub, this.now());
  }

  setCutoff(s: Session, at: number | undefined): void {
    this.#cutoffs.set(s, at);
  }

  recover(p: StreamPosition): Recovery {
    return this.source.recover?.(p, this.now()) ?? { ok: false };
  }

  /** Schedules a dirty subscription's session for its throttle class's next flush. */
  enqueue(sub: Sub): void {
    this.#clock.enqueue(sub);
  }

  // ---- bus side

  /** Applies a batch of stream events from the bus and schedules the flushes they cause. */
  publish(events: readonly StreamEvent[]): void {
    const ts = (events[0]?.d as { ts?: unknown } | undefined)?.ts;
    if (typeof ts === 'number') this.#batchTs = ts;
    this.streams.publish(events, this.#markDirty);
  }

  /**
   * Replaces a stream's state (a re-read after a gap, or a new epoch, whatever its seq): its
   * clients get a snapshot at their next flush, never an update across epochs.
   */
  resync(snap: StreamSnapshot): void {
    const rec = this.streams.resync(snap);
    if (rec) this.#markDirty(rec);
  }

  held(symbol: string): boolean {
    return this.streams.held(symbol);
  }

  /** Marks every subscriber of a stream that changed as having news, once, and schedules it. */
  readonly #markDirty = (rec: StreamRecord<Sub>): void => {
    for (const sub of rec.subs) {
      if (sub.dirty) continue;
      sub.dirty = true;
      sub.session.dirty.push(sub);
      this.#clock.enqueue(sub);
    }
  };

  /** One beat of the shared flush clock (driven by start()'s timer; tests may call it). */
  tick(now: number): void {
    this.#clock.tick(now);
  }

  /** Heartbeats for sessions that were sent nothing for `heartbeatMs`; drops idle stream records. */
  beat(now: number): void {
    for (const s of this.#cutoffs.due(now)) {
      this.stats.tokenExpired++;
      s.error('token_expired', 'the token expired: reconnect with a new one, or send `refresh` before hello.expires', now);
      s.transport.close(CLOSE.policy, 'token expired');
      this.close(s);
    }
    for (const s of this.#sessions) {
      if (now - s.lastSendAt >= this.heartbeatMs) s.send({ type: 'heartbeat', t: now }, now);
      else if (s.stalledSince) s.gated(now); // cuts a gated session past its grace even if nothing is written
    }
    this.streams.prune(now);
  }
}

/**
 * The fan-out core: which sessions hold which streams. Events from the bus update the stream
 * records and mark subscribers dirty; the FlushClock (flush-clock.ts) decides when each
 * session flushes. One timer drives every throttled flush, another the heartbeats.
 */
import { randomUUID } from 'node:crypto';
import type { Decoded } from '../../shared/codec.js';
import { CHANNELS, PROTOCOL_VERSION, type Channel, type ErrorCode, type HelloMsg, type Limits } from '../../shared/protocol.js';
import type { StreamEvent, StreamSnapshot } from '../market/stream-event.js';
import { handleControl, type Reply } from './control.js';
import { Session, type FlushPolicy, type Sub, type Transport } from './session.js';
import { StreamRecord } from './stream-record.js';
import { parseClientMessage } from './validate.js';
import { TokenBucket } from '../token-bucket.js';
import { FlushClock } from './flush-clock.js';

/** Where the fan-out reads whole stream states from (the market state, or Redis on a gateway). */
export interface StateSource {
  isSymbol(symbol: string): boolean;
  snapshot(symbol: string, ch: Channel): StreamSnapshot | undefined;
  /** Called before streams of these symbols are first used; may wait (a gateway subscribes to the bus). */
  prepare?(symbols: string[]): Promise<void> | void;
  /** No session holds this symbol any more. */
  release?(symbol: string): void;
}

export interface HubOptions {
  source: StateSource;
  limits: Limits;
  heartbeatMs: number;
  policy: FlushPolicy;
  now?: () => number;
  /** Period of the shared flush clock, ms: throttles are rounded up to a multiple of it. */
  tickMs?: number;
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
}

export class Hub {
  readonly limits: Limits;
  readonly heartbeatMs: number;
  readonly policy: FlushPolicy;
  readonly source: StateSource;
  readonly now: () => number;
  readonly tickMs: number;
  readonly stats: HubStats = { sessions: 0, items: 0, frames: 0, bytes: 0, slowConsumers: 0, conflated: 0, dropped: 0, rateLimited: 0 };
  /** Metrics probe: once per unthrottled flush pass, ms from the newest batch's event `ts` to now. */
  delayProbe?: (ms: number) => void;
  #batchTs = 0;
  readonly #records = new Map<string, StreamRecord<Sub>>();
  /** The same records by symbol, then channel: publish finds them without building a key. */
  readonly #bySymbol = new Map<string, Map<Channel, StreamRecord<Sub>>>();
  readonly #sessions = new Set<Session>();
  readonly #symbolUsers = new Map<string, number>();
  readonly #clock: FlushClock;
  #ticker?: NodeJS.Timeout;
  #beater?: NodeJS.Timeout;

  constructor(o: HubOptions) {
    this.source = o.source;
    this.limits = o.limits;
    this.heartbeatMs = o.heartbeatMs;
    this.policy = o.policy;
    this.now = o.now ?? Date.now;
    this.tickMs = o.tickMs ?? 10;
    this.#clock = new FlushClock({
      now: this.now,
      tickMs: this.tickMs,
      policy: this.policy,
      onCut: (s) => {
        this.stats.slowConsumers++;
        this.close(s);
      },
      onUnthrottledFlush: (now) => {
        if (this.delayProbe && this.#batchTs) this.delayProbe(now - this.#batchTs);
      },
    });
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

  /** Rounds a requested throttle to one the clock serves: 0, or a multiple of the tick within limits. */
  roundThrottle(ms: number): number {
    if (!(ms > 0)) return 0;
    const { min, max } = this.limits.throttle;
    const t = Math.min(max, Math.max(min, ms, this.tickMs));
    return Math.ceil(t / this.tickMs) * this.tickMs;
  }

  open(transport: Transport): Session {
    const s = new Session(randomUUID(), transport, new TokenBucket(this.limits.rate, this.limits.rate * 2, this.now()), this.stats);
    s.lastSendAt = this.now();
    this.#sessions.add(s);
    this.stats.sessions = this.#sessions.size;
    return s;
  }

  hello(session: Session, extra: Partial<HelloMsg> = {}): HelloMsg {
    return {
      type: 'hello',
      v: PROTOCOL_VERSION,
      session: session.id,
      t: this.now(),
      heartbeat: this.heartbeatMs,
      channels: [...CHANNELS],
      limits: this.limits,
      ...extra,
    };
  }

  /** Frees a session and its subscriptions at once. */
  close(session: Session): void {
    if (!this.#sessions.delete(session)) return;
    session.closed = true;
    for (const sub of session.subs.values()) this.detach(sub);
    session.subs.clear();
    session.dirty = [];
    this.#clock.forget(session);
    this.stats.sessions = this.#sessions.size;
  }

  /**
   * Takes one decoded client frame: validates it, applies the rate limit, handles it in order.
   * Every answer (including errors) goes to `reply`, by default the session's own stream.
   * Resolves when the message has been handled.
   */
  receive(session: Session, decoded: Decoded, reply: Reply = (m) => session.send(m, this.now())): Promise<void> {
    const now = this.now();
    const error = (code: ErrorCode, message: string, id?: number) =>
      reply({ type: 'error', ...(id !== undefined ? { id } : {}), code, message, t: now });
    const admitted = this.#admit(session, now);
    // Answers keep the order of the requests, errors included.
    let step: () => void | Promise<void>;
    if (admitted !== true) step = () => void (admitted && error('rate_limited', admitted));
    else if (!decoded.ok) step = () => error('bad_request', decoded.error);
    else {
      const parsed = parseClientMessage(decoded.value);
      step = parsed.ok ? () => handleControl(this, session, parsed.msg, reply) : () => error('bad_request', parsed.message, parsed.id);
    }
    return (session.queue = session.queue.then(step).catch((err: Error) => error('bad_request', `request failed: ${err.message}`)));
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
      s.transport.close(1008, 'rate limit exceeded repeatedly');
      this.close(s);
      return '';
    }
    return s.refusals === 1 || s.refusals % rate === 0 ? `more than ${rate} control messages per second` : '';
  }

  isSymbol(symbol: string): boolean {
    return this.source.isSymbol(symbol);
  }

  /** The record of a stream, created from the source's snapshot on first use. */
  record(symbol: string, ch: Channel): StreamRecord<Sub> {
    const key = `${symbol}|${ch}`;
    let rec = this.#records.get(key);
    if (!rec) {
      rec = new StreamRecord<Sub>(symbol, ch);
      const snap = this.source.snapshot(symbol, ch);
      if (snap) rec.reset(snap);
      this.#records.set(key, rec);
      let chs = this.#bySymbol.get(symbol);
      if (!chs) this.#bySymbol.set(symbol, (chs = new Map()));
      chs.set(ch, rec);
    }
    return rec;
  }

  attach(sub: Sub): void {
    if (sub.rec.subs.has(sub)) return;
    sub.rec.subs.add(sub);
    this.#symbolUsers.set(sub.rec.s, (this.#symbolUsers.get(sub.rec.s) ?? 0) + 1);
  }

  detach(sub: Sub): void {
    if (!sub.rec.subs.delete(sub)) return;
    const n = (this.#symbolUsers.get(sub.rec.s) ?? 1) - 1;
    if (n > 0) return void this.#symbolUsers.set(sub.rec.s, n);
    this.#symbolUsers.delete(sub.rec.s);
    this.source.release?.(sub.rec.s);
  }

  /** Applies a batch of stream events from the bus and schedules the flushes they cause. */
  publish(events: readonly StreamEvent[]): void {
    const ts = (events[0]?.d as { ts?: unknown } | undefined)?.ts;
    if (typeof ts === 'number') this.#batchTs = ts;
    for (const e of events) {
      const rec = this.#bySymbol.get(e.s)?.get(e.ch);
      if (!rec || rec.apply(e) === 'stale') continue;
      this.#markDirty(rec);
    }
  }

  /** Replaces a stream's state (after a gap on the bus): its clients get snapshots next flush. */
  resync(snap: StreamSnapshot): void {
    const rec = this.#records.get(`${snap.s}|${snap.ch}`);
    if (!rec) return;
    rec.reset(snap);
    this.#markDirty(rec);
  }

  /** Marks every subscriber of a stream that changed as having news, once, and schedules it. */
  #markDirty(rec: StreamRecord<Sub>): void {
    for (const sub of rec.subs) {
      if (sub.dirty) continue;
      sub.dirty = true;
      sub.session.dirty.push(sub);
      this.enqueue(sub);
    }
  }

  /** Schedules a dirty subscription's session for its throttle class's next flush. */
  enqueue(sub: Sub): void {
    this.#clock.enqueue(sub);
  }

  /** One beat of the shared flush clock (driven by start()'s timer; tests may call it). */
  tick(now: number): void {
    this.#clock.tick(now);
  }

  /** Heartbeats for sessions that were sent nothing for `heartbeatMs`. */
  beat(now: number): void {
    for (const s of this.#sessions) {
      if (now - s.lastSendAt >= this.heartbeatMs) s.send({ type: 'heartbeat', t: now }, now);
    }
  }
}


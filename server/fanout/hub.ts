/**
 * The fan-out core: the registry of sessions and the wiring of its parts. Control messages are
 * admitted by admission.ts and handled by control.ts through the port of hub-port.ts; the
 * streams live in the StreamTable (stream-table.ts), which bus events update, marking
 * subscribers dirty (session.ts); the FlushClock (flush-clock.ts) decides when each session
 * flushes. One timer drives every throttled flush, another the beat (beat.ts: heartbeats,
 * token expiry) and pruning.
 */
import { randomUUID } from 'node:crypto';
import type { Decoded } from '../../shared/codec.js';
import { CLOSE, type HelloMsg, type Limits } from '../../shared/protocol.js';
import type { HistoryLimits } from '../history/stream-history.js';
import type { StreamEvent, StreamSnapshot } from '../market/stream-event.js';
import type { Authenticator, Principal } from '../auth/authenticator.js';
import { cutoffAt } from '../auth/session-rights.js';
import type { LineLogger } from '../lib/quiet-log.js';
import { Admission } from './admission.js';
import { Beat } from './beat.js';
import { handleControl } from './control.js';
import type { Reply } from './control-port.js';
import { FlushClock } from './flush-clock.js';
import { hello } from './hello.js';
import { hubPort } from './hub-port.js';
import type { HubOptions, HubStats } from './hub-options.js';
import { Session, type FlushPolicy, type SessionHooks, type Sub } from './session.js';
import type { StateSource } from './state-source.js';
import type { StreamSink } from './stream-sink.js';
import type { StreamRecord } from './stream-record.js';
import { StreamTable } from './stream-table.js';
import { roundThrottle } from './throttle-steps.js';
import type { Transport } from './transport.js';
import { SLICE, Turns } from './turns.js';

export type { StateSource } from './state-source.js';
export type { HubOptions, HubStats } from './hub-options.js';

export class Hub implements StreamSink {
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
  #marketClock?: (session: Session) => HelloMsg['clock'];
  /** Fan-out delay observers, and whether batches' `ts` are wall times (not in a replay). */
  readonly #delay = new Set<(ms: number) => void>();
  #delayTs = true;
  #batchTs = 0;
  #log: (msg: string) => void;
  #info: LineLogger = () => {};
  readonly #sessions = new Set<Session>();
  readonly #clock: FlushClock;
  readonly #hooks: SessionHooks;
  readonly #admission: Admission;
  readonly #beat: Beat;
  #ticker?: NodeJS.Timeout;
  #beater?: NodeJS.Timeout;

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
    this.#log = o.log ?? ((m) => console.error(m));
    this.streams = new StreamTable(o.source, o.recordLingerMs ?? 10_000);
    this.#clock = new FlushClock({
      ...o.flush,
      now: this.now,
      tickMs: this.tickMs,
      onFail: (s, err) => this.#fail(s, err),
      onUnthrottledFlush: (now) => {
        if (this.#delayTs && this.#batchTs) for (const f of this.#delay) f(now - this.#batchTs);
      },
    });
    this.#hooks = {
      enqueue: (sub) => this.#clock.enqueue(sub),
      attach: (sub) => this.streams.attach(sub),
      detach: (sub) => this.streams.detach(sub, this.now()),
      retry: (s) => this.#clock.retry(s),
      cut: (s) => {
        this.stats.slowConsumers++;
        this.close(s);
      },
    };
    this.#beat = new Beat({ heartbeatMs: this.heartbeatMs, stats: this.stats, close: (s) => this.close(s) });
    const port = hubPort({
      source: this.source,
      limits: this.limits,
      now: this.now,
      auth: this.auth,
      stats: this.stats,
      streams: this.streams,
      turns: new Turns(),
      controlTimeoutMs: o.controlTimeoutMs ?? 5000,
      slice: o.slice ?? SLICE,
      roundThrottle: (ms) => this.roundThrottle(ms),
      setCutoff: (s, at) => this.#beat.setCutoff(s, at),
      forbidden: (s, refused) => this.#admission.forbidden(s, refused),
    });
    this.#admission = new Admission({
      rate: this.limits.rate,
      now: this.now,
      stats: this.stats,
      close: (s) => this.close(s),
      log: (msg) => this.#log(msg),
      info: (obj, msg) => this.#info(obj, msg),
      handle: (s, msg, reply) => handleControl(port, s, msg, reply),
      turn: () => port.turn(),
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

  /** Where failures of one session go (`log`) and refusals as info lines (`info`, rate-limited). */
  setLog(log: (msg: string) => void, info: LineLogger): void {
    this.#log = log;
    this.#info = info;
  }

  /** Protocol 1.2: the market clock for a session's hello (undefined: live, no `clock` field). */
  setClock(clock: ((session: Session) => HelloMsg['clock']) | undefined): void {
    this.#marketClock = clock;
  }

  /** Observes the fan-out delay: once per unthrottled flush pass, ms from the newest batch's event `ts` to now. Returns the remover. */
  onDelay(observe: (ms: number) => void): () => void {
    this.#delay.add(observe);
    return () => void this.#delay.delete(observe);
  }

  /** The events' `ts` are not wall times (a replay's are market times of the past): no delay is observed. */
  ignoreDelay(): void {
    this.#delayTs = false;
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
    const s = new Session(randomUUID(), transport, this.stats, this.policy, this.#hooks, this.now());
    s.principal = principal;
    this.#admission.open(s);
    this.#beat.setCutoff(s, cutoffAt(principal, this.auth?.leewayMs ?? 0));
    this.#sessions.add(s);
    this.stats.sessions = this.#sessions.size;
    return s;
  }

  hello(session: Session, extra: Partial<HelloMsg> = {}): HelloMsg {
    return hello(this, session, this.now(), this.#marketClock?.(session), extra);
  }

  /** Frees a session and its subscriptions at once. */
  close(session: Session): void {
    if (!this.#sessions.delete(session)) return;
    session.closed = true;
    this.#beat.setCutoff(session, undefined);
    session.drop(session.subs.values());
    session.pending = [];
    this.#clock.forget(session);
    this.stats.sessions = this.#sessions.size;
  }

  /** A session's flush threw: it alone is closed 1011, logged; every other session goes on. */
  #fail(s: Session, err: unknown): void {
    this.stats.failed++;
    this.#log(`session ${s.id}: flush failed, closing it: ${(err as Error)?.stack ?? String(err)}`);
    try {
      s.transport.close(CLOSE.internal, 'internal error');
    } catch {
      // the transport is already gone
    }
    this.close(s);
  }

  /**
   * Takes one decoded client frame (admission.ts: rate limit, validation, in order). Every
   * answer goes to `reply`, by default the session's own stream. Resolves when handled, to
   * whether the rate limit refused it.
   */
  receive(session: Session, decoded: Decoded, reply: Reply = (m) => session.send(m, this.now())): Promise<boolean> {
    return this.#admission.receive(session, decoded, reply);
  }

  // ---- StreamSink: the market source's side

  /** Applies a batch of stream events from the bus and schedules the flushes they cause. */
  publish(events: readonly StreamEvent[]): void {
    const ts = (events[0]?.d as { ts?: unknown } | undefined)?.ts;
    if (typeof ts === 'number') this.#batchTs = ts;
    this.streams.publish(events, this.#changed);
  }

  /**
   * Replaces a stream's state (a re-read after a gap, or a new epoch, whatever its seq): its
   * clients get a snapshot at their next flush, never an update across epochs.
   */
  resync(snap: StreamSnapshot): void {
    const rec = this.streams.resync(snap);
    if (rec) this.#changed(rec);
  }

  held(symbol: string): boolean {
    return this.streams.held(symbol);
  }

  /** Every subscriber of a stream that changed has news (session.ts's markDirty). */
  readonly #changed = (rec: StreamRecord<Sub>): void => {
    for (const sub of rec.subs) sub.session.markDirty(sub);
  };

  /** One beat of the shared flush clock (driven by start()'s timer; tests may call it). */
  tick(now: number): void {
    this.#clock.tick(now);
  }

  /** Token expiry and heartbeats (beat.ts), then drops idle stream records. */
  beat(now: number): void {
    this.#beat.run(now, this.#sessions);
    this.streams.prune(now);
  }
}

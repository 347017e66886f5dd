/**
 * One client connection, whatever its transport: its subscriptions, which of them have news,
 * and the flush that turns that news into one frame. It writes only through its write gate
 * (write-gate.ts), which writes to a Transport.
 *
 * Subscriptions: a subscription is dirty exactly when it sits in the session's `dirty` list.
 * Only `subscribe`, `markDirty`, `drop` and `flush` here change `subs`, `dirty` or `sub.dirty`.
 * Behind the gate, replies wait in a short list (beyond it they are dropped: such a client is
 * flooding).
 */
import type { Principal } from '../auth/authenticator.js';
import type { Channel, ErrorCode, ServerMessage } from '../../shared/protocol.js';
import { CLOSE } from '../../shared/protocol.js';
import { appendItems } from './items.js';
import type { StreamRecord } from './stream-record.js';
import type { Transport } from './transport.js';
import type { Encoded } from './wire.js';
import { WriteGate, type FlushPolicy, type WriteStats } from './write-gate.js';

export type { Transport } from './transport.js';
export type { FlushPolicy, WriteStats } from './write-gate.js';

export interface Sub {
  readonly rec: StreamRecord<Sub>;
  readonly session: Session;
  throttle: number;
  /** The seq of the last state this client was sent for the stream: the next item's `prev`; -1: a snapshot is owed. */
  sent: number;
  /** The epoch of that state: an update never chains across epochs. */
  epoch: string;
  /** In the session's `dirty` list (set only by Session). */
  dirty: boolean;
  /** The flush-clock tick that last sent it (0: none): a tick flushed in parts sends a stream once. */
  tick: number;
}

/** What a session asks of the hub around it. */
export interface SessionHooks {
  /** A subscription became dirty, or changed throttle while dirty: schedule its flush. */
  enqueue(sub: Sub): void;
  /** A new subscription: its record counts it. */
  attach(sub: Sub): void;
  /** A subscription ended: its record no longer counts it. */
  detach(sub: Sub): void;
  /** Replies wait behind the gate: retry this session on the clock. */
  retry(s: Session): void;
  /** The session was cut off (its transport is already closing). */
  cut(s: Session): void;
}

/** 'more': the flush stopped at its item bound; what is left is still due (flush again). */
export type FlushResult = 'idle' | 'sent' | 'more' | 'stalled' | 'cut';

/** How a flush is bounded, and which tick of throttled classes it serves (see Sub.tick). */
export interface FlushPart {
  /** Items after which the frame is written and the rest left for the next flush. */
  maxItems: number;
  /** The tick (> 0), or 0 for unthrottled news. */
  tick: number;
}

const WHOLE: FlushPart = { maxItems: Infinity, tick: 0 };

/** Replies kept while gated; later ones are dropped. */
const MAX_PENDING = 16;

/** Items of the frame being built, reused: flushes run one at a time and a frame copies its items. */
const scratch: Encoded[] = [];

export class Session {
  readonly id: string;
  readonly transport: Transport;
  /** By stream key; read-only outside this class. */
  readonly subs = new Map<string, Sub>();
  /**
   * Subscriptions with news, each at most once: exactly those with `sub.dirty`, the first
   * #nDirty of #dirty. The array keeps its length between flushes (its tail cleared): emptied
   * each flush, V8 would drop its storage and grow it again, some 7,000 subs a second for a
   * session watching 1,000 symbols, each copy old-generation garbage.
   */
  #dirty: (Sub | undefined)[] = [];
  #nDirty = 0;
  readonly gate: WriteGate;
  closed = false;
  /** Who holds this connection and what they may see (1.1 section 4); absent on an open server. */
  principal?: Principal;
  /** Protocol 1.2 section 3: whether this connection holds the replay right (auth/replay-right.ts). */
  replay = false;
  /** Replies held behind the gate. */
  pending: ServerMessage[] = [];

  readonly #hooks: SessionHooks;

  /** `now`: the session opens (heartbeats count from it). */
  constructor(id: string, transport: Transport, stats: WriteStats, policy: FlushPolicy, hooks: SessionHooks, now: number) {
    this.id = id;
    this.transport = transport;
    this.gate = new WriteGate(transport, policy, stats, now);
    this.#hooks = hooks;
  }

  /** Whether the gate is shut now (it cuts the session once shut past the grace). */
  gated(now: number): boolean {
    if (this.closed) return true;
    const state = this.gate.state(now);
    if (state === 'over') this.cut(now);
    return state !== 'open';
  }

  /** The closing `slow_consumer` error, close 1013. */
  cut(now: number): void {
    if (this.closed) return;
    this.gate.putCut(now);
    this.closed = true;
    this.transport.close(CLOSE.tryAgainLater, 'slow consumer');
    this.#hooks.cut(this);
  }

  /** A reply, error or heartbeat. Behind the gate replies wait (a few), heartbeats are dropped. */
  send(msg: ServerMessage, now: number): void {
    if (this.closed) return;
    if (this.gated(now)) {
      if (msg.type !== 'heartbeat' && !this.closed && this.pending.length < MAX_PENDING) {
        this.pending.push(msg);
        this.#hooks.retry(this);
      }
      return;
    }
    this.gate.put(msg.type, this.transport.wire.message(msg), now);
  }

  error(code: ErrorCode, message: string, now: number): void {
    this.send({ type: 'error', code, message, t: now }, now);
  }

  /**
   * Sends whole-state snapshots for these streams (item bytes shared with every session at the
   * same seq) and chains further updates on them. Behind the gate, subscribed streams are owed
   * a snapshot at the next flush that passes it; others are dropped.
   */
  sendSnapshots(recs: StreamRecord<Sub>[], now: number): void {
    if (recs.length === 0 || this.closed) return;
    if (this.gated(now)) return this.#owe(recs);
    const wire = this.transport.wire;
    const items: Encoded[] = [];
    for (const rec of recs) {
      items.push(rec.snapshotItem(wire, this.gate.policy.snapshotTrades));
      const sub = this.subs.get(rec.key);
      if (sub) (sub.sent = rec.seq), (sub.epoch = rec.epoch);
    }
    this.gate.put('snapshot', wire.frame('snapshot', now, items), now, wire.room);
  }

  /**
   * A recovery: one `update` frame of pre-encoded items (each sub then holds `seq`), then one
   * `snapshot` frame for `recs`. Written before any later item of those streams.
   */
  sendRecovery(updates: { sub: Sub; item: Encoded; seq: number }[], recs: StreamRecord<Sub>[], now: number): void {
    if (this.closed) return;
    if (updates.length) {
      if (this.gated(now)) this.#owe(updates.map((u) => u.sub.rec));
      else {
        for (const u of updates) (u.sub.sent = u.seq), (u.sub.epoch = u.sub.rec.epoch);
        this.gate.stats.items += updates.length;
        const wire = this.transport.wire;
        this.gate.put('update', wire.frame('update', now, updates.map((u) => u.item)), now, wire.room);
      }
    }
    this.sendSnapshots(recs, now);
  }

  #owe(recs: StreamRecord<Sub>[]): void {
    for (const rec of recs) {
      const sub = this.subs.get(rec.key);
      if (!sub) continue;
      sub.sent = -1;
      this.markDirty(sub);
    }
  }

  /**
   * The subscription to `rec`, made (at the record's seq: its snapshot follows) if new; either
   * way it now flushes at `throttle`.
   */
  subscribe(rec: StreamRecord<Sub>, throttle: number): Sub {
    let sub = this.subs.get(rec.key);
    if (!sub) {
      sub = { rec, session: this, throttle, sent: rec.seq, epoch: rec.epoch, dirty: false, tick: 0 };
      this.subs.set(rec.key, sub);
      this.#hooks.attach(sub);
    }
    sub.throttle = throttle;
    if (sub.dirty) this.#hooks.enqueue(sub);
    return sub;
  }

  /** The dirty list, as a fresh array (tests, and the flush clock when a session stalls). */
  get dirty(): Sub[] {
    return this.#dirty.slice(0, this.#nDirty) as Sub[];
  }

  /** `sub` has news: it joins the dirty list (once) and its flush is scheduled. */
  markDirty(sub: Sub): void {
    if (sub.dirty) return;
    sub.dirty = true;
    this.#dirty[this.#nDirty++] = sub;
    this.#hooks.enqueue(sub);
  }

  /** Unsubscribes: each leaves `subs` and the dirty list and is detached from its record. */
  drop(subs: Iterable<Sub>): void {
    let n = 0;
    for (const sub of subs) {
      if (this.subs.get(sub.rec.key) !== sub) continue;
      this.subs.delete(sub.rec.key);
      this.#hooks.detach(sub);
      sub.dirty = false;
      n++;
    }
    if (n) this.#keepDirty((sub) => this.subs.get(sub.rec.key) === sub);
  }

  /** Keeps the dirty subs `keep` says, in order. */
  #keepDirty(keep: (sub: Sub) => boolean): void {
    let kept = 0;
    for (let i = 0; i < this.#nDirty; i++) if (keep(this.#dirty[i]!)) this.#dirty[kept++] = this.#dirty[i];
    this.#cutDirty(kept);
  }

  /** The dirty list is its first `n`; the slots after are cleared (no sub held), not removed. */
  #cutDirty(n: number): void {
    for (let i = n; i < this.#nDirty; i++) this.#dirty[i] = undefined;
    this.#nDirty = n;
  }

  channelsOf(symbol: string): Channel[] {
    const out: Channel[] = [];
    for (const sub of this.subs.values()) if (sub.rec.s === symbol) out.push(sub.rec.ch);
    return out;
  }

  /**
   * Writes the replies held behind the gate, then one `update` frame with every due stream's
   * items (and one `snapshot` frame for streams too far behind for a delta, or of another epoch),
   * all in one write when there are several. Behind the gate nothing is written, the news kept
   * (conflated on the next flush). `due(throttle)` says which throttle classes flush now; the
   * rest stay dirty. `late`: this session waited past the scheduler's bound (overload), so its
   * unthrottled state streams get one conflated item each, not one per event (prev still chains).
   * `part`: at `maxItems` items the frame goes out and the due streams not reached stay dirty
   * ('more'); a throttled stream already sent in `part.tick` waits for its class's next tick.
   */
  flush(now: number, due: (throttle: number) => boolean, keep: (sub: Sub) => void, late = false, part: FlushPart = WHOLE): FlushResult {
    if (this.closed) return 'idle';
    if (this.#nDirty === 0 && this.pending.length === 0) return 'idle';
    if (this.gated(now)) return this.closed ? 'cut' : 'stalled';
    const wire = this.transport.wire;
    // No allocation per flush but the frame: shared scratch items (the frame copies them), and
    // the subs not yet due compacted to the front of `dirty` in place.
    const items = scratch;
    if (items.length !== 0) items.length = 0;
    let behind: StreamRecord<Sub>[] | undefined;
    const dirty = this.#dirty;
    const n = this.#nDirty;
    let kept = 0;
    let more = false;
    for (let i = 0; i < n; i++) {
      const sub = dirty[i]!;
      if (more) {
        dirty[kept++] = sub;
        continue;
      }
      if (!due(sub.throttle) || (part.tick > 0 && sub.throttle > 0 && sub.tick === part.tick)) {
        dirty[kept++] = sub;
        keep(sub);
        continue;
      }
      if (items.length + (behind?.length ?? 0) >= part.maxItems) {
        more = true;
        dirty[kept++] = sub;
        continue;
      }
      if (sub.throttle > 0) sub.tick = part.tick;
      sub.dirty = false;
      const rec = sub.rec;
      if (sub.epoch !== rec.epoch || sub.sent > rec.seq) (behind ??= []).push(rec);
      else if (rec.seq === sub.sent) continue;
      // Late, a run of events becomes one item; a single event keeps its shared per-event bytes.
      else if (appendItems(rec, sub.sent, sub.throttle === 0 && (!late || rec.seq - sub.sent < 2), wire, items, this.gate.stats)) sub.sent = rec.seq;
      else (behind ??= []).push(rec);
    }
    this.#cutDirty(kept);
    const held = this.pending;
    const sent = items.length;
    const writes = held.length + (sent > 0 ? 1 : 0) + (behind ? 1 : 0);
    if (writes === 0) return more ? 'more' : 'idle';
    const cork = writes > 1 && this.transport.cork !== undefined;
    if (cork) this.transport.cork!();
    try {
      if (held.length) {
        this.pending = [];
        for (const m of held) this.gate.put(m.type, wire.message(m), now);
      }
      if (sent > 0) {
        this.gate.stats.items += sent;
        this.gate.put('update', wire.frame('update', now, items), now, wire.room);
      }
      if (behind) this.sendSnapshots(behind, now);
    } finally {
      if (cork) this.transport.uncork!();
    }
    return more ? 'more' : 'sent';
  }
}

/**
 * One stream's recovery history (protocol 1.1 section 2). Pure: times come in with each call.
 *
 * Holds, for the current epoch, the time of every event of the last `ms` milliseconds (seqs are
 * contiguous, so one time per seq from `firstSeq` on), and what a recovery item needs: for state
 * channels the current fields with the seq that last changed each (a conflated delta since any
 * held position is "the fields changed after it"); for `trades` the trades after `firstSeq`, at
 * most `trades` of them. A position is recovered exactly when every event after it is held:
 * same epoch, not ahead, and its event no older than `ms` (trades also: among the last `trades`).
 * The current seq is always recovered while history is on (`ms` > 0).
 *
 * Memory is what the window holds: a ring of times (4 bytes an event, time-ring.ts), the fields
 * (fields.ts) and the trades in a typed ring (trade-log.ts), whose seqs are implicit (the newest
 * held is `seq`): no object is kept per event.
 */
import { isStateChannel, type Channel, type Trade } from '../../shared/protocol.js';
import { fieldStore, type FieldStore } from './fields.js';
import { TimeRing } from './time-ring.js';
import { TradeLog } from './trade-log.js';

export interface HistoryLimits {
  /** HISTORY_MS: how long events are held; 0 turns recovery off. */
  ms: number;
  /** HISTORY_TRADES: trades held per symbol at most. */
  trades: number;
}

/** The item that brings a client from its position to the current seq (absent when already there). */
export interface RecoveryItem {
  ch: Channel;
  s: string;
  seq: number;
  prev: number;
  d: unknown;
}

/** Window moves (in events) between two sweeps of removed fields. */
const SWEEP_EVERY = 256;

export type Recovery = { ok: true; item?: RecoveryItem } | { ok: false };

export class StreamHistory {
  readonly s: string;
  readonly ch: Channel;
  readonly isState: boolean;
  epoch = '';
  seq = 0;
  readonly #limits: HistoryLimits;
  /** times.at(i) is the time of the event at seq firstSeq + i. */
  readonly #times = new TimeRing();
  #firstSeq = 0;
  readonly #fields: FieldStore | undefined;
  /** Trades held, oldest first: the k-th is the trade at seq `seq - (length - 1 - k)`. */
  readonly #trades: TradeLog | undefined;
  #sweptAt = 0;

  constructor(s: string, ch: Channel, limits: HistoryLimits) {
    this.s = s;
    this.ch = ch;
    this.isState = isStateChannel(ch);
    this.#limits = limits;
    this.#fields = this.isState ? fieldStore(ch) : undefined;
    this.#trades = this.isState ? undefined : new TradeLog(limits.trades);
  }

  get firstSeq(): number {
    return this.#firstSeq;
  }

  /** Events whose times are held (for memory accounting and tests). */
  get held(): number {
    return this.#times.length;
  }

  /**
   * Starts over from a whole state at `seq` in `epoch`, as of `now`: positions before it are
   * no longer recoverable, the position `seq` is (from now on its event counts as `now`).
   * `d` is the state's fields (state channels; trades' `d` is not kept).
   */
  reset(epoch: string, seq: number, d: Record<string, unknown> | Trade[], now: number): void {
    this.epoch = epoch;
    this.seq = seq;
    this.#times.clear();
    this.#times.push(now);
    this.#firstSeq = seq;
    this.#sweptAt = seq;
    this.#trades?.clear();
    const f = this.#fields;
    if (f) {
      f.clear();
      if (!Array.isArray(d)) f.set(d, seq);
    }
  }

  /**
   * Extends the history backwards with the events that led to the oldest position held, oldest
   * first, each with the time it happened (`at`), as a gateway reads them from Redis after it
   * started from a whole state: the unbroken run of events ending at `firstSeq` is taken (its
   * positions then recover), anything before a break or after `firstSeq` is ignored.
   */
  prepend(events: readonly { seq: number; d: unknown; at: number }[], now: number): void {
    const first = this.#firstSeq;
    let i = events.length;
    while (i > 0 && events[i - 1].seq > first) i--;
    const end = i;
    let want = first;
    while (i > 0 && events[i - 1].seq === want) i--, want--;
    if (end - i < 2) return; // nothing before firstSeq itself
    const run = events.slice(i, end);
    const from = run[0].seq;
    this.#times.unshift(run.slice(0, -1).map((e) => e.at));
    this.#firstSeq = from;
    if (this.#fields) {
      // A field not changed after `first` may have changed within the run; else it is older than every position held.
      this.#fields.rebase(first, from - 1, run);
    } else {
      const held = this.#trades!.slice(0);
      // The run's trades join only when the held ones continue them (else a count bound dropped some between).
      if (this.seq - held.length === first) {
        this.#trades!.clear();
        for (const e of run) if (e.seq > from) this.#trades!.push(e.d as Trade);
        for (const t of held) this.#trades!.push(t);
      }
    }
    this.prune(now);
  }

  /**
   * Adds the event at `seq` (which must be seq + 1) that happened at `now`. Returns false, and
   * keeps nothing, for any other seq: the caller resets from a fresh state.
   */
  apply(seq: number, d: Record<string, unknown> | Trade, now: number): boolean {
    if (seq !== this.seq + 1) return false;
    this.seq = seq;
    this.#times.push(now);
    if (this.#fields) this.#fields.set(d as Record<string, unknown>, seq);
    else this.#trades!.push(d as Trade);
    this.prune(now);
    return true;
  }

  /** Drops what no recoverable position can need any more: events older than `ms`, trades past the count. */
  prune(now: number): void {
    const from = now - this.#limits.ms;
    const times = this.#times;
    // The current seq's entry stays: it is what the next event's position is timed by.
    let n = 0;
    while (n < times.length - 1 && times.at(n) < from) n++;
    if (n > 0) times.shift(n), (this.#firstSeq += n);
    if (!this.#fields) {
      // Trades at or before minSeq are dropped: the newest held is at `seq`.
      const minSeq = Math.max(this.#firstSeq, this.seq - this.#limits.trades);
      const keep = Math.max(0, this.seq - minSeq);
      if (this.#trades!.length > keep) this.#trades!.shift(this.#trades!.length - keep);
    } else if (this.#firstSeq - this.#sweptAt >= SWEEP_EVERY) {
      // Removed fields (book levels) go once no held position can need them; swept now and then, not per event.
      this.#sweptAt = this.#firstSeq;
      this.#fields.sweep(this.#firstSeq);
    }
  }

  /** Whether the position (`epoch`, `seq`) is recovered at `now`, and the item that brings it to the current seq. */
  recover(epoch: string, seq: number, now: number): Recovery {
    const { ms, trades } = this.#limits;
    if (!(ms > 0) || epoch !== this.epoch || !Number.isSafeInteger(seq) || seq > this.seq) return { ok: false };
    if (seq === this.seq) return { ok: true };
    if (seq < this.#firstSeq || this.#times.at(seq - this.#firstSeq) < now - ms) return { ok: false };
    if (!this.isState && seq < this.seq - trades) return { ok: false };
    // `d` is built on first read: clients resuming at the same position share one encoded item
    // (StreamRecord.recoveryItem), so most recoveries never build it.
    const self = this;
    let d: unknown;
    return {
      ok: true,
      item: {
        ch: this.ch,
        s: this.s,
        seq: this.seq,
        prev: seq,
        get d() {
          return (d ??= self.#since(seq));
        },
      },
    };
  }

  #since(seq: number): unknown {
    if (this.#fields) return this.#fields.since(seq);
    // The trades after `seq`: the newest (this.seq - seq) held.
    return this.#trades!.slice(this.#trades!.length - (this.seq - seq));
  }
}

// The StreamHistory before its compact rewrite (git 6a2b7c8), kept as the reference its answers are tested against
// (with the book prepend fix of a7bb842 applied, so both answer alike).
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
 */
import { isStateChannel, type Channel, type Trade } from '../../shared/protocol.js';
import { fromFields, isTombstone, toFields, type FieldEntry } from '../../server/history/field-codec.js';

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
  /** times[i - head] is the time of the event at seq firstSeq + (i - head). */
  #times: number[] = [];
  #head = 0;
  #firstSeq = 0;
  readonly #fields = new Map<string, number>();
  readonly #fieldSeq = new Map<string, number>();
  #trades: { seq: number; trade: Trade }[] = [];
  #sweptAt = 0;
  #tradeHead = 0;

  constructor(s: string, ch: Channel, limits: HistoryLimits) {
    this.s = s;
    this.ch = ch;
    this.isState = isStateChannel(ch);
    this.#limits = limits;
  }

  get firstSeq(): number {
    return this.#firstSeq;
  }

  /** Events whose times are held (for memory accounting and tests). */
  get held(): number {
    return this.#times.length - this.#head;
  }

  /**
   * Starts over from a whole state at `seq` in `epoch`, as of `now`: positions before it are
   * no longer recoverable, the position `seq` is (from now on its event counts as `now`).
   * `d` is the state's fields (state channels; trades' `d` is not kept).
   */
  reset(epoch: string, seq: number, d: Record<string, unknown> | Trade[], now: number): void {
    this.epoch = epoch;
    this.seq = seq;
    this.#times = [now];
    this.#head = 0;
    this.#firstSeq = seq;
    this.#trades = [];
    this.#tradeHead = 0;
    this.#fields.clear();
    this.#fieldSeq.clear();
    if (this.isState && !Array.isArray(d)) for (const [k, v] of toFields(this.ch, d)) this.#set(k, v, seq);
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
    const times = this.#times.slice(this.#head);
    this.#times = [...run.slice(0, -1).map((e) => e.at), ...times];
    this.#head = 0;
    this.#firstSeq = from;
    if (this.isState) {
      // A field not changed after `first` may have changed within the run; else it is older than every position held.
      const last = new Map<string, number>();
      for (const e of run) for (const [k] of toFields(this.ch, e.d as Record<string, unknown>)) last.set(k, e.seq);
      for (const [k, at] of this.#fieldSeq) if (at <= first) this.#fieldSeq.set(k, last.get(k) ?? from - 1);
      // (a7bb842, the same fix as BookFields.rebase) A book level the run set that the state at
      // `first` lacks was removed within the run: positions before its removal hear of it as 0.
      if (this.ch === 'book') for (const [k, at] of last) if (k.charCodeAt(1) === 58 && !this.#fields.has(k)) this.#fields.set(k, 0), this.#fieldSeq.set(k, at);
    } else {
      const older = run.filter((e) => e.seq > from).map((e) => ({ seq: e.seq, trade: e.d as Trade }));
      this.#trades = [...older, ...this.#trades.slice(this.#tradeHead).filter((t) => t.seq > first)];
      this.#tradeHead = 0;
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
    if (this.isState) for (const [k, v] of toFields(this.ch, d as Record<string, unknown>)) this.#set(k, v, seq);
    else this.#trades.push({ seq, trade: d as Trade });
    this.prune(now);
    return true;
  }

  /** Drops what no recoverable position can need any more: events older than `ms`, trades past the count. */
  prune(now: number): void {
    const from = now - this.#limits.ms;
    const times = this.#times;
    // The current seq's entry stays: it is what the next event's position is timed by.
    while (this.#head < times.length - 1 && times[this.#head] < from) {
      this.#head++;
      this.#firstSeq++;
    }
    if (!this.isState) {
      const minSeq = Math.max(this.#firstSeq, this.seq - this.#limits.trades);
      const tr = this.#trades;
      while (this.#tradeHead < tr.length && tr[this.#tradeHead].seq <= minSeq) this.#tradeHead++;
      if (this.#tradeHead > 64 && this.#tradeHead * 2 > tr.length) (this.#trades = tr.slice(this.#tradeHead)), (this.#tradeHead = 0);
    } else if (this.#firstSeq - this.#sweptAt >= SWEEP_EVERY) {
      // Removed fields (book levels) go once no held position can need them; swept now and then, not per event.
      this.#sweptAt = this.#firstSeq;
      for (const [k, at] of this.#fieldSeq) if (at < this.#firstSeq && isTombstone(this.ch, k, this.#fields.get(k)!)) this.#fieldSeq.delete(k), this.#fields.delete(k);
    }
    if (this.#head > 64 && this.#head * 2 > times.length) (this.#times = times.slice(this.#head)), (this.#head = 0);
  }

  /** Whether the position (`epoch`, `seq`) is recovered at `now`, and the item that brings it to the current seq. */
  recover(epoch: string, seq: number, now: number): Recovery {
    const { ms, trades } = this.#limits;
    if (!(ms > 0) || epoch !== this.epoch || !Number.isSafeInteger(seq) || seq > this.seq) return { ok: false };
    if (seq === this.seq) return { ok: true };
    if (seq < this.#firstSeq || this.#times[this.#head + (seq - this.#firstSeq)] < now - ms) return { ok: false };
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
    if (!this.isState) {
      const out: Trade[] = [];
      const tr = this.#trades;
      for (let i = this.#tradeHead; i < tr.length; i++) if (tr[i].seq > seq) out.push(tr[i].trade);
      return out;
    }
    const changed: FieldEntry[] = [];
    for (const [k, at] of this.#fieldSeq) if (at > seq) changed.push([k, this.#fields.get(k)!]);
    return fromFields(this.ch, changed, 'delta');
  }

  #set(k: string, v: number, seq: number): void {
    this.#fields.set(k, v);
    this.#fieldSeq.set(k, seq);
  }
}

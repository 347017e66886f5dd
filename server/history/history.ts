/**
 * Every stream's recovery history on one node (stream-history.ts holds the rules). Fed with the
 * same events, in the same order, at the same times, two nodes answer every position alike: on
 * a cluster the times are the feed's, carried with the events. Pure: no timers.
 *
 * Streams are found by symbol, then by the channel's index in CHANNELS: no key is built per event.
 */
import { CHANNELS, type Channel, type StreamPosition, type Trade } from '../../shared/protocol.js';
import type { StreamEvent, StreamSnapshot } from '../market/stream-event.js';
import { StreamHistory, type HistoryLimits, type Recovery } from './stream-history.js';

/** A channel's index in CHANNELS (undefined for a name that is not a channel). */
const CH_INDEX: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, Object.fromEntries(CHANNELS.map((c, i) => [c, i])));

export class History {
  readonly limits: HistoryLimits;
  /** Per symbol, its started streams by channel index. */
  readonly #streams = new Map<string, (StreamHistory | undefined)[]>();

  constructor(limits: HistoryLimits) {
    this.limits = limits;
  }

  /** Starts a stream over from a whole state (first sight, a gap, a new epoch). */
  reset(snap: StreamSnapshot, epoch: string, now: number): void {
    this.#stream(snap.s, snap.ch).reset(epoch, snap.seq, snap.d as Record<string, unknown> | Trade[], now);
  }

  /** Extends a started stream backwards with the events before its oldest position (stream-history.ts `prepend`). */
  prepend(s: string, ch: Channel, events: readonly StreamEvent[], now: number): void {
    const mine = events.filter((e) => e.ch === ch).map((e) => ({ seq: e.seq, d: e.d, at: e.at ?? now }));
    this.get(s, ch)?.prepend(mine, now);
  }

  /**
   * Adds events, each at its own time `at` when it has one, else at `now`. An event of a stream
   * not started is skipped (nobody holds a position there). An event of another epoch or out of
   * order is not kept: returns those streams' keys (`s|ch`) so the caller resets them from a fresh state.
   */
  record(events: readonly StreamEvent[], now: number, epoch?: string): string[] {
    let broken: string[] | undefined;
    // A market event's changes come together, one symbol's in a row: its streams are looked up once.
    let sym: string | undefined;
    let chs: (StreamHistory | undefined)[] | undefined;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.s !== sym) (sym = e.s), (chs = this.#streams.get(sym));
      const st = chs?.[CH_INDEX[e.ch]!];
      if (!st) continue;
      const ep = e.epoch ?? epoch;
      if ((ep !== undefined && ep !== st.epoch) || !st.apply(e.seq, e.d, e.at ?? now)) {
        if (e.seq > st.seq || ep !== st.epoch) (broken ??= []).push(`${e.s}|${e.ch}`);
      }
    }
    return broken ?? [];
  }

  /** A client's position in a stream: recovered (with the item to send, if any) or not. */
  recover(p: StreamPosition, now: number): Recovery {
    const st = this.#streams.get(p.s)?.[CH_INDEX[p.ch] ?? -1];
    return st ? st.recover(p.epoch, p.seq, now) : { ok: false };
  }

  get(s: string, ch: Channel): StreamHistory | undefined {
    return this.#streams.get(s)?.[CH_INDEX[ch]!];
  }

  /** Forgets a symbol's streams (a gateway no longer mirrors it). */
  drop(s: string): void {
    this.#streams.delete(s);
  }

  /** Prunes every stream at `now` (streams that got no event lately keep stale entries until then). */
  prune(now: number): void {
    for (const chs of this.#streams.values()) for (const st of chs) st?.prune(now);
  }

  #stream(s: string, ch: Channel): StreamHistory {
    let chs = this.#streams.get(s);
    if (!chs) this.#streams.set(s, (chs = new Array<StreamHistory | undefined>(CHANNELS.length).fill(undefined)));
    const i = CH_INDEX[ch]!;
    return (chs[i] ??= new StreamHistory(s, ch, this.limits));
  }
}

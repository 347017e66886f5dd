/**
 * What a client saw across faults: the chain and trade ids (Positions), every message's arrival
 * time (to measure how long data stopped), and the promises no fault may break: no update across
 * a gap, no snapshot back in time within an epoch, and one content per (symbol, channel, epoch,
 * seq) whatever gateway sent it (`seen` may be shared between watchers).
 */
import type { ServerMessage, SnapshotItem } from '../../shared/protocol.js';
import type { RawClient } from './node.js';
import { Positions } from './positions.js';

export class FaultWatch {
  readonly pos = new Positions();
  /** Arrival times (ms) of update and snapshot messages. */
  readonly arrivals: number[] = [];
  readonly violations: string[] = [];
  /** Snapshot items received, with their time. */
  readonly snapshots: { at: number; s: string; ch: string; epoch: string; seq: number }[] = [];
  readonly #seen: Map<string, string>;
  readonly #checked = new Map<string, number>();

  readonly name: string;

  constructor(seen = new Map<string, string>(), name = '') {
    this.#seen = seen;
    this.name = name;
  }

  attach(c: RawClient): void {
    c.ws.on('message', () => this.apply(c.messages.at(-1)!));
  }

  apply(m: ServerMessage): void {
    if (m.type !== 'snapshot' && m.type !== 'update') return;
    const now = Date.now();
    this.arrivals.push(now);
    for (const it of m.items) {
      const k = `${it.s}|${it.ch}`;
      if (m.type === 'snapshot') {
        const epoch = (it as SnapshotItem).epoch!;
        const held = this.pos.seq.get(k);
        if (held !== undefined && this.pos.epoch.get(k) === epoch && it.seq < held) this.violations.push(`${k}: snapshot back in time within epoch ${epoch}: ${held} -> ${it.seq}`);
        this.snapshots.push({ at: now, s: it.s, ch: it.ch, epoch, seq: it.seq });
      }
    }
    this.pos.apply(m);
    // What each (stream, epoch, seq) holds, whoever sent it: the state after the stream's last item
    // in this message (a message may carry several of one stream), and each trade by its id.
    const last = new Map(m.items.map((it) => [`${it.s}|${it.ch}`, it]));
    for (const it of m.items) {
      if (it.ch !== 'trades' && last.get(`${it.s}|${it.ch}`) !== it) continue;
      const k = `${it.s}|${it.ch}`;
      const epoch = this.pos.epoch.get(k);
      const how = `${m.type}${m.type === 'update' ? ` prev ${(it as { prev: number }).prev}` : ''} at ${now}`;
      if (it.ch === 'trades') for (const t of it.d as { id: number }[]) this.#same(`${it.s}|trade|${epoch}|${t.id}`, JSON.stringify(t), how);
      else this.#same(`${k}|${epoch}|${it.seq}`, JSON.stringify(this.pos.chain.state.get(k)?.d), how);
    }
    for (const [s, ids] of this.pos.ids) {
      // Positions restarts a symbol's ids at each trades snapshot; within one run they go up by one.
      let i = m.type === 'snapshot' ? 1 : Math.max(1, this.#checked.get(s) ?? 1);
      for (; i < ids.length; i++) if (ids[i] !== ids[i - 1]! + 1) this.violations.push(`${s}: trade id ${ids[i]} after ${ids[i - 1]} without a snapshot`);
      this.#checked.set(s, ids.length);
    }
  }

  /** `how`: the message that brought it (for the failure message). */
  #same(id: string, content: string, how: string): void {
    const had = this.#seen.get(id);
    const mine = `${content} (${this.name}: ${how})`;
    if (had !== undefined && had.slice(0, had.lastIndexOf(' (')) !== content) this.violations.push(`${id}: two contents ${had} / ${mine}`);
    if (had === undefined) this.#seen.set(id, mine);
  }

  /** Data messages received after `t`. */
  since(t: number): number {
    let n = 0;
    for (let i = this.arrivals.length - 1; i >= 0 && this.arrivals[i]! > t; i--) n++;
    return n;
  }

  /** How long after `t` data flowed again: the end of the longest silence after `t` (0 when data never stopped for `quietMs`). */
  resumedAfter(t: number, quietMs = 300): number {
    let prev = t;
    let longest = 0;
    let end = t;
    for (const a of this.arrivals) {
      if (a <= t) continue;
      if (a - prev > longest) (longest = a - prev), (end = a);
      prev = a;
    }
    return longest < quietMs ? 0 : end - t;
  }

  /** Snapshot items after `t`, and how many of them started a new epoch. */
  snapshotsSince(t: number, epochsBefore: ReadonlyMap<string, string>): { items: number; newEpoch: number } {
    const after = this.snapshots.filter((s) => s.at > t);
    return { items: after.length, newEpoch: after.filter((s) => epochsBefore.get(`${s.s}|${s.ch}`) !== s.epoch).length };
  }
}

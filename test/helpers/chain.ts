/** Applies snapshot and update messages per stream the way the contract says, and records every break of the `prev` chain. */
import type { Channel, ServerMessage, Trade } from '../../shared/protocol.js';

export class ChainChecker {
  readonly state = new Map<string, { seq: number; d: unknown }>();
  readonly breaks: string[] = [];
  updates = 0;

  /** True once every stream held is at the seq `seqOf` gives it (e.g. the feed's, after it stopped). */
  reached(seqOf: (symbol: string, channel: Channel) => number | undefined): boolean {
    return [...this.state].every(([key, st]) => {
      const [s, ch] = key.split('|') as [string, Channel];
      return st.seq === seqOf(s, ch);
    });
  }

  apply(m: ServerMessage): void {
    if (m.type === 'snapshot') {
      for (const it of m.items) this.state.set(`${it.s}|${it.ch}`, { seq: it.seq, d: structuredClone(it.d) });
    } else if (m.type === 'update') {
      for (const it of m.items) {
        const key = `${it.s}|${it.ch}`;
        const cur = this.state.get(key);
        if (!cur || cur.seq !== it.prev) {
          this.breaks.push(`${key}: have ${cur?.seq} got prev ${it.prev} seq ${it.seq}`);
          continue;
        }
        if (it.seq <= it.prev) this.breaks.push(`${key}: seq ${it.seq} not after prev ${it.prev}`);
        this.updates++;
        cur.seq = it.seq;
        if (it.ch === 'trades') cur.d = [...(cur.d as Trade[]), ...(it.d as Trade[])].slice(-50);
        else Object.assign(cur.d as object, it.d);
      }
    }
  }
}

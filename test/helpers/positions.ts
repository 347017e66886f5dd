/**
 * What a resuming client holds, over any number of connections: each stream's position (epoch
 * from its snapshot, last seq), trade ids per symbol, the prev chain checked, snapshot items counted.
 */
import type { ServerMessage, SnapshotItem, StreamPosition, Trade } from '../../shared/protocol.js';
import { ChainChecker } from './chain.js';
import type { RawClient } from './node.js';

export class Positions {
  readonly epoch = new Map<string, string>();
  readonly seq = new Map<string, number>();
  readonly ids = new Map<string, number[]>();
  readonly chain = new ChainChecker();
  snapshots = 0;

  apply(m: ServerMessage): void {
    this.chain.apply(m);
    if (m.type !== 'snapshot' && m.type !== 'update') return;
    for (const it of m.items) {
      const k = `${it.s}|${it.ch}`;
      if (m.type === 'snapshot') {
        this.snapshots++;
        this.epoch.set(k, (it as SnapshotItem).epoch!);
      }
      this.seq.set(k, it.seq);
      if (it.ch !== 'trades') continue;
      const ids = this.ids.get(it.s) ?? [];
      if (m.type === 'snapshot') ids.length = 0;
      ids.push(...(it.d as Trade[]).map((t) => t.id));
      this.ids.set(it.s, ids);
    }
  }

  positions(): StreamPosition[] {
    return [...this.seq].map(([k, seq]) => ({ s: k.split('|')[0]!, ch: k.split('|')[1]!, epoch: this.epoch.get(k)!, seq }));
  }

  /** Applies every message the client receives from now on. */
  attach(c: RawClient): void {
    c.ws.on('message', () => this.apply(c.messages.at(-1)!));
  }
}

/** Records a MarketClient's events for tests and waits for conditions on them (polling the recorded events, never a fixed sleep). */
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { MarketClient } from '../../shared/client/index.js';
import type { ClientOptions, ClientStatus, GapInfo, StreamChange } from '../../shared/client/types.js';
import type { ErrorMsg, Trade } from '../../shared/protocol.js';
import { sleep } from '../helpers/node.js';

export class Recorder {
  readonly statuses: ClientStatus[] = [];
  readonly changes: StreamChange[] = [];
  readonly gaps: GapInfo[] = [];
  /** For each gap, how many changes had been recorded when it was reported. */
  readonly gapAt: number[] = [];
  readonly recovered: { symbol: string; channel: string }[][] = [];
  readonly errors: ErrorMsg[] = [];
  constructor(readonly client: MarketClient) {
    client.on('status', (s) => this.statuses.push(s));
    client.on('change', (c) => this.changes.push(c));
    client.on('gap', (g) => {
      this.gaps.push(g);
      this.gapAt.push(this.changes.length);
    });
    client.on('recovered', (r) => this.recovered.push(r.streams));
    client.on('error', (e) => this.errors.push(e));
  }

  async until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; statuses: ${JSON.stringify(this.statuses.slice(-4))}; gaps: ${JSON.stringify(this.gaps.slice(-4))}`);
      await sleep(20);
    }
  }

  count(pred: (c: StreamChange) => boolean, from = 0): number {
    return this.changes.slice(from).filter(pred).length;
  }

  /** The trade ids a symbol's `trades` stream delivered, in order: the first snapshot's, then every update's and later snapshot's new ones. */
  tradeIds(symbol: string): number[] {
    const ids: number[] = [];
    for (const c of this.changes) {
      if (c.symbol !== symbol || c.channel !== 'trades') continue;
      const list = (c.kind === 'snapshot' ? c.state : c.delta) as Trade[];
      for (const t of list) if (ids.length === 0 || t.id > ids[ids.length - 1]!) ids.push(t.id);
    }
    return ids;
  }
}

export function makeClient(o: Partial<ClientOptions> & Pick<ClientOptions, 'urls'>, keep: MarketClient[]): Recorder {
  const c = new MarketClient({ WebSocket, EventSource, baseDelayMs: 50, maxDelayMs: 300, pingMs: 500, ...o });
  keep.push(c);
  return new Recorder(c);
}

/** Ids that do not follow their predecessor by exactly 1 (trade ids rise by 1 per trade of a symbol). */
export const holes = (ids: number[]): string[] => ids.slice(1).flatMap((id, i) => (id === ids[i]! + 1 ? [] : [`${ids[i]} -> ${id}`]));

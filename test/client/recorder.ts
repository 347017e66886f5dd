/** Records a MarketClient's events for tests and waits for conditions on them (polling the recorded events, never a fixed sleep). */
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { MarketClient } from '../../shared/client/index.js';
import { expect } from 'vitest';
import type { ClientOptions, ClientStatus, GapInfo, StreamChange } from '../../shared/client/types.js';
import type { ErrorMsg, Trade } from '../../shared/protocol.js';
import { until } from '../helpers/wait.js';

export class Recorder {
  readonly statuses: ClientStatus[] = [];
  readonly changes: StreamChange[] = [];
  readonly gaps: GapInfo[] = [];
  /** For each gap, how many changes had been recorded when it was reported. */
  readonly gapAt: number[] = [];
  readonly recovered: { symbol: string; channel: string }[][] = [];
  readonly errors: ErrorMsg[] = [];
  readonly rtts: number[] = [];
  constructor(readonly client: MarketClient) {
    client.on('status', (s) => this.statuses.push(s));
    client.on('change', (c) => this.changes.push(c));
    client.on('gap', (g) => {
      this.gaps.push(g);
      this.gapAt.push(this.changes.length);
    });
    client.on('recovered', (r) => this.recovered.push(r.streams));
    client.on('error', (e) => this.errors.push(e));
    client.on('rtt', (ms) => this.rtts.push(ms));
  }

  /** `until` of test/helpers/wait.ts, with the last statuses and gaps in its timeout error. */
  async until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
    await until(what, cond, timeoutMs, 20).catch((err: Error) => {
      throw new Error(`${err.message}; statuses: ${JSON.stringify(this.statuses.slice(-4))}; gaps: ${JSON.stringify(this.gaps.slice(-4))}`);
    });
  }

  /** Checks that each stream's applied seqs rise, with snapshots allowed to restart them. */
  expectOrdered(): void {
    const last = new Map<string, number>();
    for (const c of this.changes) {
      const key = `${c.symbol}|${c.channel}`;
      if (c.kind === 'update') expect(c.seq, key).toBeGreaterThan(last.get(key)!);
      last.set(key, c.seq);
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

/**
 * A bystander (issue 21): one WebSocket client on one ticker at throttle 0, decoding every
 * frame. While measuring it counts chain breaks (an update whose `prev` is not the last seq),
 * its longest silence (time between two frames of any kind, heartbeats included, a silence
 * lasting to the end included: with a short HEARTBEAT_MS, how long the server said nothing),
 * its longest gap (the same between data frames only: a quiet market or a feed shedding load
 * as well as a stalled server), and the oldest update it got (wall clock minus the item's `ts`:
 * how late the server delivered). Scenario G (watch-all.ts) and the storms (storms.ts) use it.
 */
import WebSocket from 'ws';
import { decode, encode } from '../../shared/codec.js';
import type { ServerMessage } from '../../shared/protocol.js';

export interface BystanderResult {
  longestSilenceMs: number;
  /** Longest time between two data frames (snapshot or update), ms. */
  longestGapMs: number;
  breaks: number;
  updates: number;
  /** The oldest update received, ms (`Date.now()` minus its ticker `ts`; same machine's clock). */
  maxAgeMs: number;
  /** When the longest silence ended (performance.now() ms); NaN when none was measured. */
  longestSilenceEndAt: number;
}

export interface Bystander {
  /** Starts measuring afresh (silences count from the last frame before this). */
  begin(): void;
  /** Stops measuring and returns what was measured. */
  end(): BystanderResult;
  close(): void;
}

/** Opens the bystander on `symbol`'s ticker; resolves once subscribed (its snapshot may follow). */
export async function startBystander(wsUrl: string, symbol: string): Promise<Bystander> {
  let last = -1;
  let lastAt = 0;
  let lastDataAt = 0;
  let measuring = false;
  const fresh = (): BystanderResult => ({ longestSilenceMs: 0, longestGapMs: 0, breaks: 0, updates: 0, maxAgeMs: 0, longestSilenceEndAt: NaN });
  let r = fresh();
  const silence = (now: number) => {
    if (now - lastAt > r.longestSilenceMs) (r.longestSilenceMs = now - lastAt), (r.longestSilenceEndAt = now);
    if (lastDataAt) r.longestGapMs = Math.max(r.longestGapMs, now - lastDataAt);
  };
  const ws = await new Promise<WebSocket>((resolve, reject) => {
    const w = new WebSocket(wsUrl);
    w.binaryType = 'nodebuffer';
    w.on('message', (data: Buffer) => {
      const d = decode(data);
      if (!d.ok) return;
      const m = d.value as ServerMessage;
      const now = performance.now();
      if (measuring && lastAt) silence(now);
      if (m.type === 'snapshot') for (const it of m.items) last = it.seq;
      if (m.type === 'update') for (const it of m.items) {
        if (measuring && it.prev !== last) r.breaks++;
        last = it.seq;
        if (!measuring) continue;
        r.updates++;
        const ts = (it.d as { ts?: number } | undefined)?.ts;
        if (typeof ts === 'number') r.maxAgeMs = Math.max(r.maxAgeMs, Date.now() - ts);
      }
      if (m.type === 'snapshot' || m.type === 'update' || m.type === 'heartbeat') lastAt = now;
      if (m.type === 'snapshot' || m.type === 'update') lastDataAt = now;
    });
    w.once('open', () => resolve(w));
    w.once('error', reject);
  });
  ws.send(encode({ type: 'subscribe', id: 1, symbols: [symbol], channels: ['ticker'] }));
  return {
    begin() {
      r = fresh();
      measuring = true;
    },
    end() {
      if (measuring && lastAt) silence(performance.now());
      measuring = false;
      return { ...r };
    },
    close: () => ws.terminate(),
  };
}

/**
 * What one transport's clients received during the measurement: frames (WebSocket messages or
 * SSE events), updates (items of `update` messages), bytes, and the latency distributions
 * (`now - t` per message, `now - ts` per item), plus ping/pong clock-offset samples.
 */
import { wallNow } from '../bench/clock.js';
import { Latency } from '../bench/latency.js';

export interface UpdateMsg {
  type: string;
  t?: number;
  echo?: number;
  items?: { d?: { ts?: unknown } }[];
}

export class Tally {
  measuring = false;
  frames = 0;
  updates = 0;
  bytes = 0;
  readonly transport = new Latency();
  readonly age = new Latency();
  /** Per pong: round trip (ms) and the server-minus-client clock offset it implies (ms). */
  readonly pings: { rtt: number; offset: number }[] = [];

  /** One decoded server message of `wireBytes` bytes, received now. */
  message(m: UpdateMsg, wireBytes: number): void {
    if (!this.measuring) return;
    const now = wallNow();
    this.frames++;
    this.bytes += wireBytes;
    if (m.type !== 'update' || !m.items) return;
    this.updates += m.items.length;
    if (typeof m.t === 'number') this.transport.record(now - m.t);
    for (const it of m.items) if (typeof it.d?.ts === 'number') this.age.record(now - it.d.ts);
  }

  /** A pong for a ping sent at client time `sentAt` (its `echo`), received at `now`, stamped `t` by the server. */
  pong(sentAt: number, t: number, now: number): void {
    const rtt = now - sentAt;
    this.pings.push({ rtt, offset: t - (sentAt + rtt / 2) });
  }

  /** Offset estimate: the median over the quarter of pongs with the shortest round trips (ms). */
  offset(): { estimateMs: number; rttMs: number; samples: number } | null {
    if (this.pings.length === 0) return null;
    const best = [...this.pings].sort((a, b) => a.rtt - b.rtt).slice(0, Math.max(1, Math.ceil(this.pings.length / 4)));
    const offs = best.map((p) => p.offset).sort((a, b) => a - b);
    return { estimateMs: offs[Math.floor(offs.length / 2)], rttMs: best[0].rtt, samples: this.pings.length };
  }
}

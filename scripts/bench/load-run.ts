/**
 * One load run: N raw WebSocket clients against one system, each on its own pseudo-random set
 * of symbols, measured for a fixed time after a warm-up. Counts updates, frames and wire bytes
 * per message without decoding; decodes one message in `sampleEvery` per connection for data
 * age (`now - ts`). Reads the server's CPU time and RSS when its pid is known. During the
 * measurement a worker thread probes the server's `/healthz` every `probeMs` (healthz-probe.ts),
 * and each connection's updates are counted on their own (the fairness spread).
 */
import { recalibrate, wallNow } from './clock.js';
import { spread, type Spread } from './fairness.js';
import { startProbe, type ProbeSummary } from './healthz-probe.js';
import { Latency, type LatencySummary } from './latency.js';
import { cpuSeconds, rssBytes } from './proc.js';
import { progress } from './progress.js';
import { RawWs } from './raw-ws.js';
import type { Conn, System } from './systems.js';

export interface LoadOptions {
  system: System;
  /** Base URL of the server, e.g. http://127.0.0.1:8080 (the system adds its path). */
  url: string;
  pid?: number;
  clients: number;
  symbolsPer: number;
  throttle: number;
  universe: string[];
  warmupMs: number;
  durationMs: number;
  /** Idle time before connecting: the server's CPU then is the feed's own cost. */
  idleMs: number;
  sampleEvery: number;
  /** Handshakes in flight at once. */
  concurrency: number;
  label: string;
  /** `/healthz` probe period during the measurement, ms (default 50). */
  probeMs?: number;
}

export interface LoadResult {
  connected: number;
  failed: number;
  /** The first few connection errors. */
  errors: string[];
  subscribed: number;
  /** Connections that closed during the run. */
  dropped: number;
  elapsedS: number;
  /** Wall-clock ms when the measurement started and ended. */
  measuredFrom: number;
  measuredTo: number;
  updates: number;
  frames: number;
  /** Wire bytes (WebSocket headers included) of all frames / of frames carrying updates. */
  bytes: number;
  updateBytes: number;
  /** Server CPU seconds during the measurement, and per second while idle (cores); null without a pid. */
  cpuS: number | null;
  /** This load client's CPU seconds during the measurement. */
  clientCpuS: number;
  idleCores: number | null;
  /** Server RSS with no client, with the warm base of `baseClients` connected, with all connected (bytes). */
  rssIdle: number | null;
  rssBase: number | null;
  rssLoaded: number | null;
  /** Server RSS when the measurement ended (bytes): grows past rssLoaded when queues build up. */
  rssEnd: number | null;
  baseClients: number;
  age: LatencySummary;
  /** `/healthz` answer times during the measurement. */
  healthz: ProbeSummary;
  /** Per-connection delivered updates per second during the measurement. */
  perClient: Spread;
}

/** Deterministic pick of `k` distinct symbols for client `i` (xorshift + partial Fisher-Yates). */
export function pickSymbols(universe: string[], k: number, i: number): string[] {
  let x = (i + 1) * 2654435761;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const idx = universe.map((_, j) => j);
  const n = Math.min(k, idx.length);
  for (let j = 0; j < n; j++) {
    const r = j + Math.floor(rnd() * (idx.length - j));
    [idx[j], idx[r]] = [idx[r], idx[j]];
  }
  return idx.slice(0, n).map((j) => universe[j]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const { system, pid } = o;
  const wsUrl = o.url.replace(/^http/, 'ws') + system.path;
  const age = new Latency();
  const conns: Conn[] = [];
  /** Updates counted per connection during the measurement, in the order of `conns`. */
  const tallies: { n: number }[] = [];
  let measuring = false;
  let updates = 0, frames = 0, bytes = 0, updateBytes = 0, failed = 0, dropped = 0;
  const errors: string[] = [];
  const recordAge = (ts: number) => age.record(wallNow() - ts);

  // Idle: the feed's own CPU cost, and the RSS before any connection.
  const rssIdle = pid ? rssBytes(pid) : null;
  const idle0 = pid ? cpuSeconds(pid) : 0;
  await sleep(o.idleMs);
  const idleCores = pid && o.idleMs > 0 ? (cpuSeconds(pid) - idle0) / (o.idleMs / 1000) : null;

  const connectOne = async (i: number) => {
    const conn = { symbols: pickSymbols(o.universe, o.symbolsPer, i), throttle: o.throttle, subscribed: false } as Conn;
    let n = i % o.sampleEvery; // staggered, so that connections do not sample in step
    const tally = { n: 0 };
    const handlers = {
      message(payload: Buffer, binary: boolean, wire: number, ws: RawWs) {
        conn.ws ??= ws;
        const sample = measuring && ++n % o.sampleEvery === 0;
        const u = system.message(conn, payload, binary, sample, recordAge);
        if (!measuring) return;
        frames++;
        bytes += wire;
        if (u > 0) {
          tally.n += u;
          updates += u;
          updateBytes += wire;
        }
      },
      close: () => void (measuring && dropped++),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        conn.ws = await RawWs.open(wsUrl, handlers, 20_000);
        conns.push(conn);
        tallies.push(tally);
        return system.open(conn);
      } catch (e) {
        if (attempt < 2 && Date.now() < giveUpAt) {
          await sleep(500 * attempt);
          continue;
        }
        if (failed++ < 3) errors.push((e as Error).message);
        return;
      }
    }
  };
  // A server too busy to answer handshakes gets two minutes; the run goes on with whoever is in.
  const giveUpAt = Date.now() + 120_000 + o.clients * 10;
  const connectRange = async (from: number, to: number) => {
    let next = from;
    const worker = async () => {
      while (next < to) {
        if (Date.now() > giveUpAt) {
          failed += to - next;
          next = to;
          break;
        }
        await connectOne(next++);
        if (next % 100 === 0) progress(o.label, next / o.clients, `connecting ${next}/${o.clients}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, to - from) }, worker));
    // Wait for every subscription to be confirmed.
    const deadline = Date.now() + 30_000 + (to - from) * 5;
    let subscribed = 0;
    while ((subscribed = conns.filter((c) => c.subscribed).length) < conns.length && Date.now() < deadline) {
      progress(o.label, subscribed / Math.max(1, conns.length), `subscribing ${subscribed}/${conns.length}`);
      await sleep(100);
    }
    return subscribed;
  };

  // A warm base of 1% of the clients first: what a server grows once under traffic (young
  // generation, compiled code, stream records) then counts in the base, not per connection.
  const base = Math.max(1, Math.round(o.clients / 100));
  await connectRange(0, base);
  await sleep(Math.min(o.warmupMs, 1000));
  const baseConnected = conns.length;
  const rssBase = pid ? rssBytes(pid) : null;
  const subscribed = await connectRange(base, o.clients);
  await sleep(o.warmupMs);
  const rssLoaded = pid ? rssBytes(pid) : null;

  // Measure.
  recalibrate();
  const probe = startProbe(o.url + '/healthz', o.probeMs ?? 50);
  measuring = true;
  const cpu0 = pid ? cpuSeconds(pid) : 0;
  const u0 = process.cpuUsage();
  const t0 = wallNow();
  while (wallNow() - t0 < o.durationMs) {
    await sleep(Math.min(250, Math.max(1, o.durationMs - (wallNow() - t0))));
    const s = (wallNow() - t0) / 1000;
    progress(o.label, s / (o.durationMs / 1000), `${s.toFixed(1)} s  ${Math.round(updates / s).toLocaleString('en-US')} upd/s`);
  }
  measuring = false;
  const t1 = wallNow();
  const elapsedS = (t1 - t0) / 1000;
  const cpuS = pid ? cpuSeconds(pid) - cpu0 : null;
  const u = process.cpuUsage(u0);
  const clientCpuS = (u.user + u.system) / 1e6;
  const rssEnd = pid ? rssBytes(pid) : null;
  const healthz = await probe.stop();
  const perClient = spread(tallies.map((t) => t.n), elapsedS);

  for (const c of conns) c.ws.close();
  await sleep(Math.min(3000, 200 + conns.length / 10));
  for (const c of conns) c.ws.socket.destroy();
  return {
    connected: conns.length, failed, errors, subscribed, dropped, elapsedS, measuredFrom: t0, measuredTo: t1, updates, frames, bytes, updateBytes,
    cpuS, clientCpuS, idleCores, rssIdle, rssBase, rssLoaded, rssEnd, baseClients: baseConnected, age: age.summary(),
    healthz, perClient,
  };
}

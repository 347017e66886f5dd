/**
 * One measured phase of `npm run compare`: N clients of one transport, warmed up, then measured
 * for a fixed time with a ping every second per client (for the clock-offset estimate).
 */
import { wallNow } from '../bench/clock.js';
import type { LatencySummary } from '../bench/latency.js';
import { cpuSeconds } from '../bench/proc.js';
import { progress } from '../bench/progress.js';
import { openSse } from './sse-client.js';
import { Tally } from './tally.js';
import { openWs, type CompareClient } from './ws-client.js';

export type Transport = 'ws' | 'sse';

export interface PhaseOptions {
  transport: Transport;
  url: string;
  pid?: number;
  clients: number;
  symbolsOf(i: number): string[];
  throttle: number;
  durationMs: number;
  warmupMs: number;
}

export interface PhaseResult {
  transport: Transport;
  clients: number;
  durationS: number;
  framesPerS: number;
  updatesPerS: number;
  bytesPerUpdate: number;
  serverCpuS: number | null;
  cpuSecondsPerMillion: number | null;
  clientCores: number;
  transportLatencyMs: LatencySummary;
  dataAgeMs: LatencySummary;
  clockOffset: { estimateMs: number; rttMs: number; samples: number } | null;
  /** Set when the transport could not be measured (e.g. the server has no /sse). */
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runPhase(o: PhaseOptions): Promise<PhaseResult> {
  const tally = new Tally();
  const open = o.transport === 'ws' ? openWs : openSse;
  const label = o.transport.toUpperCase().padEnd(3);
  let clients: CompareClient[];
  try {
    clients = await Promise.all(Array.from({ length: o.clients }, (_, i) => open(o.url, o.symbolsOf(i), o.throttle, tally)));
  } catch (e) {
    return failed(o, (e as Error).message);
  }
  await sleep(o.warmupMs);
  tally.measuring = true;
  const cpu0 = o.pid ? cpuSeconds(o.pid) : 0;
  const u0 = process.cpuUsage();
  const t0 = wallNow();
  let pinged = 0;
  while (wallNow() - t0 < o.durationMs) {
    await sleep(Math.min(100, Math.max(1, o.durationMs - (wallNow() - t0))));
    const el = wallNow() - t0;
    // One ping per client per second, spread over the second.
    const due = Math.floor((el / 1000) * clients.length);
    for (; pinged < due; pinged++) clients[pinged % clients.length].ping();
    progress(label, el / o.durationMs, `${(el / 1000).toFixed(1)} s  ${Math.round(tally.updates / (el / 1000)).toLocaleString('en-US')} upd/s`);
  }
  tally.measuring = false;
  const elapsed = (wallNow() - t0) / 1000;
  const cpuS = o.pid ? cpuSeconds(o.pid) - cpu0 : null;
  const u = process.cpuUsage(u0);
  await sleep(200); // let the last pongs in
  for (const c of clients) c.close();
  await sleep(500);
  return {
    transport: o.transport,
    clients: clients.length,
    durationS: elapsed,
    framesPerS: tally.frames / elapsed,
    updatesPerS: tally.updates / elapsed,
    bytesPerUpdate: tally.updates ? tally.bytes / tally.updates : 0,
    serverCpuS: cpuS,
    cpuSecondsPerMillion: cpuS !== null && tally.updates ? cpuS / (tally.updates / 1e6) : null,
    clientCores: (u.user + u.system) / 1e6 / elapsed,
    transportLatencyMs: tally.transport.summary(),
    dataAgeMs: tally.age.summary(),
    clockOffset: tally.offset(),
  };
}

function failed(o: PhaseOptions, error: string): PhaseResult {
  const empty = new Tally();
  return {
    transport: o.transport, clients: 0, durationS: 0, framesPerS: 0, updatesPerS: 0, bytesPerUpdate: 0, serverCpuS: null,
    cpuSecondsPerMillion: null, clientCores: 0, transportLatencyMs: empty.transport.summary(), dataAgeMs: empty.age.summary(),
    clockOffset: null, error,
  };
}

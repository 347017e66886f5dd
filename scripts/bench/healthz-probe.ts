/**
 * A `/healthz` prober for the measured window of a load run. It runs in a worker thread of the
 * load process, so that the load client's own work (counting and decoding thousands of
 * connections' messages) does not delay its timer or its reads: what it measures is the
 * server's answer time (plus the shared machine's scheduling). Open loop: a request starts every
 * `intervalMs` whether or not the previous one was answered (no coordinated omission); a request
 * still unanswered at `stop()` counts with the time it has waited so far (a lower bound), and
 * as a timeout.
 */
import { Worker } from 'node:worker_threads';
import { Latency, type LatencySummary } from './latency.js';

export interface ProbeSummary extends LatencySummary {
  /** Requests started. */
  sent: number;
  /** Requests unanswered when the probe stopped, or answered with an error or a non-200 status. */
  failed: number;
  /** The first few distinct failure reasons ('unanswered at stop', 'status 503', error messages). */
  errors: string[];
}

export interface Probe {
  /** Stops probing; waits up to `graceMs` for requests in flight, then summarises. */
  stop(graceMs?: number): Promise<ProbeSummary>;
}

// Plain JavaScript (eval'd), so the worker needs no TypeScript loader. Messages: 'stop' in;
// { times: number[], failed: number, sent: number, errors: string[] } out.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, intervalMs } = workerData;
const times = [];
const pending = new Set();
let failed = 0, sent = 0;
const errors = [];
const fail = (why) => { failed++; if (errors.length < 3 && !errors.includes(why)) errors.push(why); };
function probe() {
  const t0 = performance.now();
  const rec = { t0 };
  pending.add(rec);
  sent++;
  fetch(url, { signal: AbortSignal.timeout(60000) })
    .then(async (r) => { await r.arrayBuffer(); if (r.status !== 200) fail('status ' + r.status); })
    .catch((e) => fail(String((e && e.cause && e.cause.code) || (e && e.message) || e)))
    .finally(() => { if (pending.delete(rec)) times.push(performance.now() - t0); });
}
const timer = setInterval(probe, intervalMs);
probe();
parentPort.on('message', (m) => {
  clearInterval(timer);
  const end = () => {
    const now = performance.now();
    for (const rec of pending) { times.push(now - rec.t0); fail('unanswered at stop'); }
    pending.clear();
    parentPort.postMessage({ times, failed, sent, errors });
  };
  const until = performance.now() + m.graceMs;
  const wait = () => (pending.size === 0 || performance.now() >= until ? end() : setTimeout(wait, 10));
  wait();
});
`;

/** Starts probing `url` (the full /healthz address) every `intervalMs`. */
export function startProbe(url: string, intervalMs = 50): Probe {
  const worker = new Worker(WORKER, { eval: true, workerData: { url, intervalMs } });
  return {
    stop(graceMs = 2000) {
      return new Promise<ProbeSummary>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', (m: { times: number[]; failed: number; sent: number; errors: string[] }) => {
          void worker.terminate();
          resolve(summarise(m.times, m.sent, m.failed, m.errors));
        });
        worker.postMessage({ graceMs });
      });
    },
  };
}

/** Answer times (ms) as a latency summary with the request counts. */
export function summarise(times: number[], sent: number, failed: number, errors: string[] = []): ProbeSummary {
  const l = new Latency();
  for (const t of times) l.record(t);
  return { ...l.summary(), sent, failed, errors };
}

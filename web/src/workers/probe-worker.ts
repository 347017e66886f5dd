/**
 * The transport comparison's two clients, off the main thread: decoding and measuring a second
 * and third copy of the stream must not cost the page frames (and the page's rendering must not
 * add to the latency measured). Reports once a second.
 */
import { MarketClient } from '../../../shared/client/index.js';
import { DASHBOARD_MAX_DELAY_MS } from '../lib/client.js';
import { ProbeEngine } from '../lib/probe-engine.js';
import { REPORT_MS, type FromProbeWorker, type ToProbeWorker } from '../lib/probe-protocol.js';

const post = (m: FromProbeWorker) => postMessage(m);
let engines: ProbeEngine[] = [];
let timer: ReturnType<typeof setInterval> | undefined;

onmessage = (e: MessageEvent<ToProbeWorker>) => {
  const m = e.data;
  if (m.type === 'start') {
    if (typeof WebSocket === 'undefined' || typeof EventSource === 'undefined') return post({ type: 'unsupported' });
    const create = (kind: 'ws' | 'sse') => new MarketClient({ urls: location.origin, transport: kind, pingMs: 5000, token: m.token, maxDelayMs: DASHBOARD_MAX_DELAY_MS });
    engines = (['ws', 'sse'] as const).map((kind) => new ProbeEngine(kind, create, (status) => post({ type: 'status', kind, status })));
    for (const p of engines) p.start(m.want, m.throttle);
    timer = setInterval(() => post({ type: 'reports', reports: engines.map((p) => p.report(performance.now())) }), REPORT_MS);
  } else if (m.type === 'sync') {
    for (const p of engines) p.sync(m.want, m.throttle);
  } else {
    clearInterval(timer);
    for (const p of engines) p.stop();
    engines = [];
  }
};

/**
 * The transport comparison's screen state: two probes (WebSocket with MessagePack, SSE with
 * JSON) on the same subscriptions and throttle. The clients run in a worker (probe-worker.ts)
 * and report once a second; where a worker cannot stream they run in the page instead.
 */
import type { ClientStatus, TransportKind } from '../../../shared/client/types.js';
import { createClient, getClientToken } from '../lib/client.js';
import { ProbeEngine, type ProbeReport } from '../lib/probe-engine.js';
import { REPORT_MS, type FromProbeWorker, type ToProbeWorker } from '../lib/probe-protocol.js';
import type { TransportSummary } from '../lib/stats.js';
import type { Wanted } from '../lib/subscriptions.js';

/** Seconds of latency history the small chart shows. */
export const HISTORY_POINTS = 90;

export class Probe {
  readonly kind: TransportKind;
  /** Median transport latency of each second (ms), oldest first; plain, drawn on a canvas. */
  readonly history: number[] = [];
  #summary = $state.raw<TransportSummary | undefined>();
  #status = $state.raw<ClientStatus>({ state: 'closed' });
  #version = $state(0);

  constructor(kind: TransportKind) {
    this.kind = kind;
  }

  get summary(): TransportSummary | undefined {
    return this.#summary;
  }
  get status(): ClientStatus {
    return this.#status;
  }
  /** Changes when `history` has a new point. */
  get version(): number {
    return this.#version;
  }

  setStatus(s: ClientStatus): void {
    this.#status = s;
  }

  apply(r: ProbeReport): void {
    this.#summary = r.summary;
    this.history.push(r.lastSecondP50);
    if (this.history.length > HISTORY_POINTS) this.history.splice(0, this.history.length - HISTORY_POINTS);
    this.#version++;
  }
}

export class Comparison {
  readonly ws = new Probe('ws');
  readonly sse = new Probe('sse');
  #worker: Worker | undefined;
  /** In-page engines, when the worker cannot stream. */
  #engines: ProbeEngine[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #paused: () => boolean = () => false;
  #want: Wanted = new Map();
  #throttle = 0;

  /** Starts both clients; while `paused()` the figures hold still (the clients keep measuring). */
  start(paused: () => boolean): void {
    this.#paused = paused;
    if (typeof Worker === 'undefined') return this.#startInPage();
    const w = new Worker(new URL('../workers/probe-worker.ts', import.meta.url), { type: 'module', name: 'tickwire-probes' });
    this.#worker = w;
    w.onmessage = (e: MessageEvent<FromProbeWorker>) => this.#onMessage(e.data);
    w.onerror = () => {
      this.#stopWorker();
      this.#startInPage();
    };
    this.#send({ type: 'start', token: getClientToken(), want: this.#want, throttle: this.#throttle });
  }

  sync(want: Wanted, throttle: number): void {
    this.#want = want;
    this.#throttle = throttle;
    this.#send({ type: 'sync', want, throttle });
    for (const e of this.#engines) e.sync(want, throttle);
  }

  stop(): void {
    this.#stopWorker();
    clearInterval(this.#timer);
    for (const e of this.#engines) e.stop();
    this.#engines = [];
  }

  #probe(kind: TransportKind): Probe {
    return kind === 'ws' ? this.ws : this.sse;
  }

  #onMessage(m: FromProbeWorker): void {
    if (m.type === 'status') this.#probe(m.kind).setStatus(m.status);
    else if (m.type === 'reports') this.#apply(m.reports);
    else {
      this.#stopWorker();
      this.#startInPage();
    }
  }

  #apply(reports: ProbeReport[]): void {
    if (this.#paused()) return;
    for (const r of reports) this.#probe(r.kind).apply(r);
  }

  #send(m: ToProbeWorker): void {
    this.#worker?.postMessage(m);
  }

  #stopWorker(): void {
    this.#send({ type: 'stop' });
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  #startInPage(): void {
    this.#engines = [this.ws, this.sse].map((p) => new ProbeEngine(p.kind, createClient, (s) => p.setStatus(s)));
    for (const e of this.#engines) e.start(this.#want, this.#throttle);
    this.#timer = setInterval(() => this.#apply(this.#engines.map((e) => e.report(performance.now()))), REPORT_MS);
  }
}

/**
 * One side of the transport comparison, without any UI: a MarketClient pinned to one transport
 * (WebSocket with MessagePack, or SSE with JSON), measured from its `latency` events. Runs in
 * the probe worker (off the main thread), or in the page where workers cannot stream.
 */
import type { ClientStatus, MarketClientApi, TransportKind } from '../../../shared/client/types.js';
import { SampleWindow, TransportStats, type TransportSummary } from './stats.js';
import { SubscriptionSync, type Wanted } from './subscriptions.js';

export interface ProbeReport {
  kind: TransportKind;
  /** Figures over the last 10 s. */
  summary: TransportSummary;
  /** Median transport latency of the last second (NaN when nothing came), for the history chart. */
  lastSecondP50: number;
}

export class ProbeEngine {
  readonly kind: TransportKind;
  readonly #create: (kind: TransportKind) => MarketClientApi;
  readonly #onStatus: (s: ClientStatus) => void;
  #client: MarketClientApi | undefined;
  #sync: SubscriptionSync | undefined;
  #offs: (() => void)[] = [];
  #stats = new TransportStats(10_000);
  readonly #recent = new SampleWindow(1000, 8192);

  constructor(kind: TransportKind, create: (kind: TransportKind) => MarketClientApi, onStatus: (s: ClientStatus) => void) {
    this.kind = kind;
    this.#create = create;
    this.#onStatus = onStatus;
  }

  start(want: Wanted, throttle: number): void {
    this.stop();
    const c = this.#create(this.kind);
    this.#client = c;
    this.#sync = new SubscriptionSync(c);
    this.#stats = new TransportStats(10_000);
    this.#offs = [
      c.on('status', (s) => this.#onStatus(s)),
      c.on('latency', (s) => {
        const now = performance.now();
        this.#stats.record(now, s);
        this.#recent.add(now, s.transportMs);
      }),
    ];
    this.#onStatus(c.status);
    this.#sync.sync(want, throttle);
  }

  sync(want: Wanted, throttle: number): void {
    this.#sync?.sync(want, throttle);
  }

  stop(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#client?.close();
    this.#client = undefined;
    this.#sync = undefined;
  }

  report(now: number): ProbeReport {
    return { kind: this.kind, summary: this.#stats.summary(now), lastSecondP50: this.#recent.percentiles(now, [50])[0] };
  }
}

/**
 * Whether a shard has a usable master, from two signals: its primary connection (ready on some
 * address, or closed) and a timed probe (a frozen server keeps its connections open but stops
 * answering). Counts failovers (the master's address changed between two ready connections) and
 * the time without a usable master, and logs one line per change. Pure: time comes in.
 */
export interface MasterHealth {
  ok: boolean;
  /** Why not ok (absent when ok). */
  reason?: string;
  /** `host:port` of the master last connected to. */
  master?: string;
}

export interface MasterWatchOptions {
  now: () => number;
  log: (msg: string) => void;
}

export class MasterWatch {
  /** Times the master's address changed (the first master is not one). */
  failovers = 0;
  /** Outages seen (a usable master lost, whatever came back). */
  outages = 0;
  readonly #o: MasterWatchOptions;
  #master?: string;
  #connected = false;
  #probeFailure?: string;
  #closedReason = 'connecting';
  /** Since when there is no usable master (undefined while there is one, or before the first). */
  #downSince?: number;
  #downMs = 0;
  #everUp = false;
  #closed = false;

  constructor(o: MasterWatchOptions) {
    this.#o = o;
  }

  /** The primary connection is ready on `address`. */
  up(address: string | undefined): void {
    const was = this.#master;
    if (address) this.#master = address;
    this.#connected = true;
    this.#probeFailure = undefined;
    if (was && address && was !== address) {
      this.failovers++;
      this.#o.log(`redis: the master moved from ${was} to ${address} (failover ${this.failovers})`);
    }
    this.#update();
  }

  /** The primary connection closed (it reconnects by itself). */
  down(reason: string): void {
    this.#connected = false;
    this.#closedReason = reason;
    this.#update();
  }

  /** A probe went unanswered (`reason`), or answered (undefined). */
  probe(failure: string | undefined): void {
    if (failure !== undefined && !this.#connected) return; // already down for a better reason
    this.#probeFailure = failure;
    this.#update();
  }

  health(): MasterHealth {
    const reason = !this.#connected ? `no Redis master (${this.#closedReason})` : this.#probeFailure;
    return { ok: reason === undefined, ...(reason ? { reason } : {}), ...(this.#master ? { master: this.#master } : {}) };
  }

  /** Seconds without a usable master since the first one, the current outage included. */
  downSeconds(): number {
    return (this.#downMs + (this.#downSince === undefined ? 0 : this.#o.now() - this.#downSince)) / 1000;
  }

  close(): void {
    this.#closed = true;
  }

  #update(): void {
    if (this.#closed) return;
    const { ok, reason } = this.health();
    const now = this.#o.now();
    if (ok && !this.#everUp) return void (this.#everUp = true);
    if (!this.#everUp) return;
    if (!ok && this.#downSince === undefined) {
      this.#downSince = now;
      this.outages++;
      this.#o.log(`redis: ${reason}${this.#master ? ` (was ${this.#master})` : ''}`);
    } else if (ok && this.#downSince !== undefined) {
      const ms = now - this.#downSince;
      this.#downMs += ms;
      this.#downSince = undefined;
      this.#o.log(`redis: master ${this.#master ?? '?'} usable again after ${ms} ms without one`);
    }
  }
}

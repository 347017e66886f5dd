/**
 * How the feed proves that Redis holds exactly the state it last published (PROTOCOL.md, "Epochs
 * across Redis failures"). Every write of a symbol's state stores a marker `<run>/<n>` in the
 * same MULTI: `run` is this feed process's id, `n` grows with every write. Transactions on one
 * connection apply in order, so what Redis holds is always a prefix of what the feed sent: after
 * a reconnect, a symbol whose stored marker is of this run and not older than the last write
 * Redis confirmed holds exactly what was published (or a later state the feed also published).
 * Anything else (an older save, a replica promoted behind its master, a flushed key, another
 * run's marker) cannot be proven: that symbol gets a new epoch. Pure: no I/O.
 */
export class Generations {
  readonly run: string;
  #n = 0;
  /** Per symbol, the `n` of its newest write Redis confirmed. */
  readonly #confirmed = new Map<string, number>();

  constructor(run: string) {
    this.run = run;
  }

  /** The marker for one transaction writing these symbols; call `done` with its outcome (false: failed or unknown). */
  write(symbols: readonly string[]): { marker: string; done: (ok: boolean) => void } {
    const n = ++this.#n;
    return {
      marker: `${this.run}/${n}`,
      done: (ok) => {
        if (!ok) return;
        for (const s of symbols) if ((this.#confirmed.get(s) ?? 0) < n) this.#confirmed.set(s, n);
      },
    };
  }

  /**
   * Call just as the markers are read from Redis (confirmations that arrive later do not count
   * against that read); the returned function takes the stored markers (undefined: none) and
   * names the symbols Redis cannot be shown to hold as last published.
   */
  check(): (stored: ReadonlyMap<string, string | undefined>) => string[] {
    const confirmed = new Map(this.#confirmed);
    return (stored) => {
      const out: string[] = [];
      for (const [s, marker] of stored) if (!this.#holds(marker, confirmed.get(s))) out.push(s);
      return out;
    };
  }

  #holds(marker: string | undefined, confirmed: number | undefined): boolean {
    if (marker === undefined || confirmed === undefined) return false;
    const slash = marker.lastIndexOf('/');
    return marker.slice(0, slash) === this.run && Number(marker.slice(slash + 1)) >= confirmed;
  }
}

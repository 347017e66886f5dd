/**
 * Work queued by owner and taken round-robin: each `take` serves the next owner with work, up
 * to `max` of its items in the order it queued them. One owner with thousands of items delays
 * another's few by at most one batch per owner ahead of it. Pure: no timers.
 */
export class FairQueue<T> {
  /** Owners with work, in serving order; an owner served goes to the back. */
  readonly #owners: object[] = [];
  readonly #items = new Map<object, T[]>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(owner: object, item: T): void {
    let list = this.#items.get(owner);
    if (!list) {
      this.#items.set(owner, (list = []));
      this.#owners.push(owner);
    }
    list.push(item);
    this.#size++;
  }

  /**
   * Items of the next owner, up to `max` of them, or with `weight`, as many as weigh `max` at
   * most (at least one; empty when nothing is queued).
   */
  take(max: number, weight?: (item: T) => number): T[] {
    const owner = this.#owners.shift();
    if (owner === undefined) return [];
    const list = this.#items.get(owner)!;
    let n = Math.max(1, max);
    if (weight) {
      let w = weight(list[0]!);
      for (n = 1; n < list.length && w + weight(list[n]!) <= max; n++) w += weight(list[n]!);
    }
    const out = list.splice(0, n);
    this.#size -= out.length;
    if (list.length) this.#owners.push(owner);
    else this.#items.delete(owner);
    return out;
  }

  /** Removes and returns every queued item. */
  drain(): T[] {
    const out = [...this.#items.values()].flat();
    this.#items.clear();
    this.#owners.length = 0;
    this.#size = 0;
    return out;
  }
}

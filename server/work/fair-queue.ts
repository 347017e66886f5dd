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

  /** Up to `max` items of the next owner (empty when nothing is queued). */
  take(max: number): T[] {
    const owner = this.#owners.shift();
    if (owner === undefined) return [];
    const list = this.#items.get(owner)!;
    const out = list.splice(0, Math.max(1, max));
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

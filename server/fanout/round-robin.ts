/**
 * A FIFO queue of distinct items: add() of an item already queued keeps its place, shift()
 * takes the oldest. O(1) each, amortised; delete() is lazy (the entry is skipped at shift).
 * Pure.
 */
export class RoundRobin<T> {
  #items: T[] = [];
  /** Parallel to #items: the entry's ticket; an entry is live while its item holds that ticket. */
  #tickets: number[] = [];
  #head = 0;
  #next = 0;
  readonly #live = new Map<T, number>();

  get size(): number {
    return this.#live.size;
  }

  has(x: T): boolean {
    return this.#live.has(x);
  }

  /** Queues `x` at the back unless it is queued already; true when it was added. */
  add(x: T): boolean {
    if (this.#live.has(x)) return false;
    const ticket = this.#next++;
    this.#live.set(x, ticket);
    this.#items.push(x);
    this.#tickets.push(ticket);
    return true;
  }

  delete(x: T): void {
    this.#live.delete(x);
    if (this.#live.size === 0) this.#reset();
  }

  /** The oldest queued item, removed; undefined when empty. */
  shift(): T | undefined {
    while (this.#head < this.#items.length) {
      const i = this.#head++;
      const x = this.#items[i];
      if (this.#live.get(x) !== this.#tickets[i]) continue; // deleted, maybe queued again further back
      this.#live.delete(x);
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#tickets = this.#tickets.slice(this.#head);
        this.#head = 0;
      }
      return x;
    }
    this.#reset();
    return undefined;
  }

  #reset(): void {
    this.#items = [];
    this.#tickets = [];
    this.#head = 0;
  }
}

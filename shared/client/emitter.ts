/**
 * A small typed event emitter (no Node `events`, so it bundles for browsers). A listener
 * that throws does not stop the others; its error is rethrown asynchronously.
 */
type Listener = (...args: any[]) => void;

export class Emitter<Events extends { [E in keyof Events]: Listener }> {
  readonly #listeners = new Map<keyof Events, Set<Listener>>();

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof Events>(event: E, fn: Events[E]): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => void set.delete(fn);
  }

  has(event: keyof Events): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}

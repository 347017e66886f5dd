/**
 * Big REST answers built in slices: a long list is mapped (and its JSON written) a few ms at a
 * time, every slice (the first too) waiting for its turn, so one request for thousands of items
 * never holds the loop for long, nor do a thousand requests at once: with `pause` a shared
 * Turns' (lib/turns.ts), all their slices share a few ms per event-loop iteration. `clock`
 * (monotonic ms) and `pause` come in as parameters for tests.
 */
export interface SliceOptions {
  /** Work per slice, ms (default 4). */
  ms?: number;
  clock?: () => number;
  /** Waits for a slice's turn, before the first too (default: the next event-loop iteration). */
  pause?: () => Promise<void>;
}

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * `fn` over `xs` in order, from its first turn on, yielding once a slice has taken `ms` (the
 * clock is read after every item: one item may be a cold symbol's first read, a few ms on its own).
 */
export async function mapInSlices<T, R>(xs: readonly T[], fn: (x: T, i: number) => R, o: SliceOptions = {}): Promise<R[]> {
  const ms = o.ms ?? 4;
  const clock = o.clock ?? (() => performance.now());
  const pause = o.pause ?? nextTurn;
  const out: R[] = new Array(xs.length);
  await pause();
  let start = clock();
  for (let i = 0; i < xs.length; i++) {
    out[i] = fn(xs[i]!, i);
    if (clock() - start >= ms) {
      await pause();
      start = clock();
    }
  }
  return out;
}

/** A JSON array of `xs`, written in slices (each element by JSON.stringify). */
export async function jsonArrayInSlices(xs: readonly unknown[], o: SliceOptions = {}): Promise<string> {
  const parts = await mapInSlices(xs, (x) => JSON.stringify(x), o);
  return `[${parts.join(',')}]`;
}

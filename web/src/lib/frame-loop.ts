/**
 * Batches screen updates to one per animation frame: data arrives into plain structures and
 * marks the loop; at the next frame every task runs once. While paused nothing runs, and
 * resuming runs one catch-up frame.
 */
export type FrameTask = (now: number) => void;

export class FrameLoop {
  readonly #tasks = new Set<FrameTask>();
  readonly #raf: (cb: FrameRequestCallback) => number;
  #scheduled = false;
  #wanted = false;
  #paused = false;

  constructor(raf: (cb: FrameRequestCallback) => number = (cb) => requestAnimationFrame(cb)) {
    this.#raf = raf;
  }

  /** Adds a task run at each frame that was requested; returns its removal. */
  add(task: FrameTask): () => void {
    this.#tasks.add(task);
    return () => this.#tasks.delete(task);
  }

  /** Asks for one frame (many calls before it share it). */
  request(): void {
    this.#wanted = true;
    if (this.#scheduled || this.#paused) return;
    this.#scheduled = true;
    this.#raf((now) => this.#run(now));
  }

  get paused(): boolean {
    return this.#paused;
  }

  set paused(p: boolean) {
    this.#paused = p;
    if (!p && this.#wanted) this.request();
  }

  #run(now: number): void {
    this.#scheduled = false;
    if (this.#paused) return;
    this.#wanted = false;
    for (const t of this.#tasks) {
      try {
        t(now);
      } catch (err) {
        console.error(err); // one broken panel must not stop the others
      }
    }
  }
}

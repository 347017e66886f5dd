/**
 * A log line that floods cannot multiply: at most one line per `periodMs`, the next one carrying
 * how many were suppressed in between. Used for refusals and client protocol errors, which an
 * abusive client can cause at will.
 */
export interface LineLogger {
  (obj: Record<string, unknown>, msg: string): void;
}

export class QuietLog {
  #last = -Infinity;
  #quiet = 0;

  constructor(
    private readonly log: LineLogger,
    private readonly now: () => number = Date.now,
    private readonly periodMs = 1000,
  ) {}

  /** Logs now, or counts the line as suppressed. */
  line(obj: Record<string, unknown>, msg: string): void {
    const t = this.now();
    if (t - this.#last < this.periodMs) {
      this.#quiet++;
      return;
    }
    this.log(this.#quiet ? { ...obj, suppressed: this.#quiet } : obj, msg);
    this.#last = t;
    this.#quiet = 0;
  }
}

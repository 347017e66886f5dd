/**
 * The replay TickSource (FEED=replay): recorded files merged by receive time (merge.ts), turned
 * into market events by the book rules (book-rules.ts), paced by the replay clock (clock.ts).
 * Streams: only the files' current chunks, the books and per-symbol plans are held.
 *
 * A run reads the files from their start: rows before its starting point are history (handed
 * to `hooks.history`, applied without sending), then `hooks.live` and the events go to
 * `start`'s callback as they fall due. A backward seek or a loop starts a new run
 * (`hooks.restart` first: state starts empty); a forward seek goes on reading, the rows it
 * skips as history. Both end with `hooks.live` (the node gives every stream a new epoch).
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as immediate } from 'node:timers/promises';
import type { Interval } from '../../../shared/protocol.js';
import type { Instrument, MarketEvent, SymbolHistory, TickSource } from '../tick-source.js';
import { BookRules } from './book-rules.js';
import { ReplayClock, type ReplayClockState } from './clock.js';
import { FileCursor, type BadLine } from './cursor.js';
import { expandFiles } from './files.js';
import { RowMerge } from './merge.js';
import { scanFiles, type ScanResult } from './scan.js';
import type { ReplaySpeed } from '../../../shared/protocol.js';

export interface ReplaySourceOptions {
  /** REPLAY_FILES: files or folders, in tie order. */
  files: readonly string[];
  speed: ReplaySpeed;
  /** REPLAY_FROM / REPLAY_TO: market times (receive times), ms; default the recording's. */
  from?: number;
  to?: number;
  loop: boolean;
  now?: () => number;
  /** Where malformed lines are reported (during the scan only: once per line). */
  onBad?: BadLine;
}

export interface ReplayHooks {
  /** A run starts from the files' start: state must start again from history() (empty books). */
  restart(): void;
  /** Events before the run's starting point, in order: apply them, do not send them. */
  history(events: MarketEvent[]): void;
  /** From here events are sent: a new epoch for every stream. */
  live(): void;
  /** The clock changed other than by running (pause, resume, seek, speed, a loop, the end). */
  clock(c: ReplayClockState): void;
}

/** Most events per batch handed on. */
const CHUNK = 256;
/** Longest run of work between yields to the event loop, ms. */
const SLICE_MS = 8;
/** Shortest and longest sleep while waiting for the next row, ms. */
const MIN_WAIT_MS = 2;
const MAX_WAIT_MS = 1000;

const NO_HOOKS: ReplayHooks = { restart() {}, history() {}, live() {}, clock() {} };

export class ReplaySource implements TickSource {
  readonly instruments: readonly Instrument[];
  readonly scan: ScanResult;
  readonly files: readonly string[];
  readonly loop: boolean;
  hooks: ReplayHooks = NO_HOOKS;
  readonly #clock: ReplayClock;
  readonly #now: () => number;
  #rules: BookRules;
  #merge: RowMerge<FileCursor> | undefined;
  /** Receive time of the last row taken in this run (-Infinity: none yet). */
  #pos = -Infinity;
  /** Bumped by every start, seek and stop: a pump or run of an older generation stops. */
  #gen = 0;
  #onEvents: (events: MarketEvent[]) => void = () => {};
  #wake: () => void = () => {};
  #started = false;

  private constructor(files: string[], scan: ScanResult, o: ReplaySourceOptions) {
    this.files = files;
    this.scan = scan;
    this.instruments = scan.instruments;
    this.loop = o.loop;
    this.#now = o.now ?? Date.now;
    const from = Math.max(scan.from, o.from ?? -Infinity);
    const to = Math.min(scan.to, o.to ?? Infinity);
    this.#clock = new ReplayClock(from, Math.max(from, to), o.speed, this.#now());
    this.#rules = new BookRules(scan.plans);
  }

  /** Expands and scans the files; throws an Error naming the file on one it cannot use. */
  static async create(o: ReplaySourceOptions): Promise<ReplaySource> {
    const files = expandFiles(o.files);
    const scan = await scanFiles(files, o.onBad ?? (() => {}));
    if (scan.rows === 0) throw new Error(`no rows in ${files.join(', ')}`);
    if (o.from !== undefined && o.from > scan.to) throw new Error(`REPLAY_FROM is after the recording's end (${new Date(scan.to).toISOString()})`);
    if (o.to !== undefined && o.to < scan.from) throw new Error(`REPLAY_TO is before the recording's start (${new Date(scan.from).toISOString()})`);
    return new ReplaySource(files, scan, o);
  }

  /** Each symbol's state as of the last row taken (at a restart: empty books, no bars). */
  history(symbol: string): SymbolHistory {
    const inst = this.instruments.find((i) => i.symbol === symbol);
    if (!inst) throw new Error(`unknown symbol ${symbol}`);
    const bars = { '1s': [], '1m': [], '5m': [], '1h': [] } as SymbolHistory['bars'] satisfies Record<Interval, unknown>;
    const p = inst.price;
    const book = this.#rules.book(symbol);
    return { bars, quote: this.#rules.quote(symbol), last: p, session: { open: p, high: p, low: p, volume: 0 }, ...(book ? { book } : {}) };
  }

  clock(): ReplayClockState {
    return this.#clock.state(this.#now());
  }

  start(onEvents: (events: MarketEvent[]) => void): void {
    if (this.#started) throw new Error('ReplaySource already started');
    this.#started = true;
    this.#onEvents = onEvents;
    void this.#run(this.#clock.from, true, true);
  }

  stop(): void {
    this.#gen++;
    this.#started = false;
    this.#wake();
    void this.#merge?.sources.forEach((c) => void c.close());
  }

  pause(): ReplayClockState {
    this.#clock.pause(this.#now());
    return this.#changed();
  }

  resume(): ReplayClockState {
    this.#clock.resume(this.#now());
    return this.#changed();
  }

  setSpeed(speed: ReplaySpeed): ReplayClockState {
    this.#clock.setSpeed(speed, this.#now());
    return this.#changed();
  }

  /** Moves to market time `at` (within from..to); resolves, with the clock, once events flow from there. */
  async seek(at: number): Promise<ReplayClockState> {
    this.#clock.seek(at, this.#now());
    const forward = at >= this.#pos && this.#merge !== undefined;
    await this.#run(at, !forward);
    return this.clock();
  }

  #changed(): ReplayClockState {
    this.#wake();
    const c = this.clock();
    this.hooks.clock(c);
    return c;
  }

  /** A run (reopen) or a forward jump: history up to `at`, then live from there. */
  async #run(at: number, reopen: boolean, first = false): Promise<void> {
    const gen = ++this.#gen;
    this.#wake();
    if (reopen) {
      const old = this.#merge;
      this.#merge = undefined;
      await Promise.all(old?.sources.map((c) => c.close()) ?? []);
      const cursors = await Promise.all(this.files.map((f) => FileCursor.open(f, () => {})));
      if (gen !== this.#gen) return void cursors.forEach((c) => void c.close());
      this.#merge = new RowMerge(cursors);
      this.#rules = new BookRules(this.scan.plans);
      this.#pos = -Infinity;
      this.hooks.restart();
    }
    const out: MarketEvent[] = [];
    for (;;) {
      const why = this.#take(at, true, out, performance.now() + SLICE_MS, false);
      if (why !== 'budget' && why !== 'fill') this.#rules.flush(out);
      if (out.length) this.hooks.history(out.splice(0));
      if (why === 'fill') await this.#merge!.fill();
      else if (why === 'budget') await immediate();
      else break;
      if (gen !== this.#gen) return;
    }
    this.#clock.seek(at, this.#now());
    this.hooks.live();
    // The first run's clock is in every hello; a seek's or a loop's is news.
    if (!first) this.hooks.clock(this.clock());
    void this.#pump(gen);
  }

  /**
   * Takes rows in order into `out` (through the book rules) while they are due: receive time
   * below `limit` (`strict`) or up to it, and the rest of a book event begun. Stops at the end,
   * at a row not due ('time'), when a file must be read ('fill') or past `deadline` ('budget').
   */
  #take(limit: number, strict: boolean, out: MarketEvent[], deadline: number, live: boolean): 'time' | 'end' | 'fill' | 'budget' {
    const merge = this.#merge!;
    const rules = this.#rules;
    const to = this.#clock.to;
    for (let n = 0; ; n++) {
      const row = merge.peek();
      if (row === 'fill') return 'fill';
      if (row === undefined || row.recv > to) return 'end';
      const due = strict ? row.recv < limit : row.recv <= limit;
      if (!due && !rules.continues(row, merge.next)) return 'time';
      merge.advance();
      rules.row(row, merge.next, out);
      this.#pos = row.recv;
      if (live) this.#clock.delivered(row.recv);
      if ((n & 63) === 63 && (performance.now() > deadline || (live && out.length >= CHUNK))) return 'budget';
    }
  }

  /** Sends events as they fall due, until the end of the files or a newer generation. */
  async #pump(gen: number): Promise<void> {
    const out: MarketEvent[] = [];
    while (gen === this.#gen) {
      const why = this.#take(this.#clock.target(this.#now()), false, out, performance.now() + SLICE_MS, true);
      if (why === 'time' || why === 'end') this.#rules.flush(out);
      for (let i = 0; i < out.length; i += CHUNK) this.#onEvents(out.slice(i, i + CHUNK));
      out.length = 0;
      if (why === 'fill') await this.#merge!.fill();
      else if (why === 'budget') await immediate();
      else if (why === 'end') return this.#end(gen);
      else {
        const next = this.#merge!.peek();
        const wait = next && next !== 'fill' ? this.#clock.dueIn(next.recv, this.#now()) : 0;
        await this.#sleep(Math.min(Math.max(wait, MIN_WAIT_MS), MAX_WAIT_MS));
      }
    }
  }

  #end(gen: number): void {
    if (gen !== this.#gen) return;
    if (this.loop) return void this.#run(this.#clock.from, true);
    this.#clock.end(this.#now());
    this.hooks.clock(this.clock());
  }

  /** Sleeps `ms`, or until a control wakes the pump. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}

/**
 * RECORD_DIR: records what the feed publishes (sim or replay) as Tardis CSV, gzipped, one file
 * per (type, UTC day, symbol): trades, quotes (when the touch changes) and
 * incremental_book_L2, whose every file starts with a snapshot of the whole book (the recorder
 * keeps its own copy of each book, from the source's as the feed starts). Files roll at UTC
 * midnight of market time. Each file is flushed (Z_SYNC_FLUSH) once a second, so a crash loses
 * at most the last second (the file then lacks the gzip trailer: the reader takes it as ended
 * there); close() ends every file complete.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { constants, createGzip, type Gzip } from 'node:zlib';
import type { BookInit, MarketEvent } from '../feed/tick-source.js';
import { bookLines, dayOf, fileName, HEADERS, quoteLine, tradeLines, type NumberFormats, type RecordType } from './tardis-lines.js';

interface OpenFile {
  day: string;
  gz: Gzip;
  closed: Promise<void>;
  dirty: boolean;
}

interface Book {
  bids: Map<number, number>;
  asks: Map<number, number>;
  /** Whether the open L2 file still needs the snapshot it starts with. */
  fresh: boolean;
}

export interface RecorderOptions {
  dir: string;
  exchange: string;
  formats: ReadonlyMap<string, NumberFormats>;
  /** Flush period, ms (default 1000). */
  flushMs?: number;
}

export class Recorder {
  readonly dir: string;
  readonly #exchange: string;
  readonly #formats: ReadonlyMap<string, NumberFormats>;
  readonly #files = new Map<string, OpenFile>();
  readonly #ending = new Set<Promise<void>>();
  readonly #books = new Map<string, Book>();
  readonly #quotes = new Map<string, string>();
  readonly #timer: NodeJS.Timeout;

  /** Creates the folder (throws when it cannot). */
  constructor(o: RecorderOptions) {
    this.dir = o.dir;
    mkdirSync(o.dir, { recursive: true });
    this.#exchange = o.exchange;
    this.#formats = o.formats;
    this.#timer = setInterval(() => this.flush(), o.flushMs ?? 1000);
    this.#timer.unref();
  }

  /**
   * The books as the source holds them before its next event (at start, and after a replay's
   * seek or loop): each symbol's next L2 file content starts with a snapshot of it.
   */
  books(bookOf: (symbol: string) => BookInit | undefined): void {
    for (const symbol of this.#formats.keys()) {
      const b = bookOf(symbol);
      if (!b) continue;
      this.#books.set(symbol, { bids: new Map(b.bids), asks: new Map(b.asks), fresh: true });
    }
  }

  /** Records one source event; `lastTradeId`: the symbol's `trades` seq after it. */
  add(e: MarketEvent, lastTradeId: number): void {
    const f = this.#formats.get(e.symbol);
    if (!f) return;
    const x = this.#exchange;
    const book = this.#books.get(e.symbol);
    if (e.book && book) {
      const file = this.#file('incremental_book_L2', e.symbol, e.ts, () => (book.fresh = true));
      let text = '';
      if (book.fresh) {
        book.fresh = false;
        text += bookLines(x, e.symbol, e.ts, true, { bids: [...book.bids], asks: [...book.asks] }, f);
      }
      for (const [p, q] of e.book.bids) q > 0 ? book.bids.set(p, q) : book.bids.delete(p);
      for (const [p, q] of e.book.asks) q > 0 ? book.asks.set(p, q) : book.asks.delete(p);
      text += bookLines(x, e.symbol, e.ts, false, e.book, f);
      this.#write(file, text);
    }
    const { bid, bidSize, ask, askSize } = e.quote;
    const touch = `${bid},${bidSize},${ask},${askSize}`;
    if (this.#quotes.get(e.symbol) !== touch) {
      this.#quotes.set(e.symbol, touch);
      this.#write(this.#file('quotes', e.symbol, e.ts), quoteLine(x, e.symbol, e.ts, e.quote, f));
    }
    if (e.trade) {
      const prints = e.sweep ? [e.trade, ...e.sweep] : [e.trade];
      this.#write(this.#file('trades', e.symbol, e.ts), tradeLines(x, e.symbol, e.ts, prints, lastTradeId, f));
    }
  }

  /** Makes everything written so far readable from the files (Z_SYNC_FLUSH). */
  flush(): void {
    for (const f of this.#files.values()) {
      if (!f.dirty) continue;
      f.dirty = false;
      f.gz.flush(constants.Z_SYNC_FLUSH);
    }
  }

  /** Ends every file complete (a valid gzip); resolves once they are on disk. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (const f of this.#files.values()) this.#end(f);
    this.#files.clear();
    await Promise.all([...this.#ending]);
  }

  #write(f: OpenFile, text: string): void {
    f.gz.write(text);
    f.dirty = true;
  }

  /** The open file of this type and symbol for the event's UTC day (rolling at midnight); `opened` runs when a new one starts. */
  #file(type: RecordType, symbol: string, ts: number, opened?: () => void): OpenFile {
    const key = `${type}|${symbol}`;
    const day = dayOf(ts);
    const f = this.#files.get(key);
    if (f?.day === day) return f;
    if (f) this.#end(f);
    const gz = createGzip();
    const out = createWriteStream(join(this.dir, fileName(this.#exchange, type, day, symbol)), { flags: 'a' });
    const closed = new Promise<void>((resolve) => out.once('close', resolve).once('error', () => resolve()));
    gz.pipe(out);
    gz.write(`${HEADERS[type]}\n`);
    const nf: OpenFile = { day, gz, closed, dirty: true };
    this.#files.set(key, nf);
    opened?.();
    return nf;
  }

  #end(f: OpenFile): void {
    f.gz.end();
    this.#ending.add(f.closed);
    void f.closed.then(() => this.#ending.delete(f.closed));
  }
}

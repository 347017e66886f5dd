/**
 * One recorded file as a cursor over its rows: the format told from its first line and name
 * (formats.ts), lines parsed a batch at a time (lines.ts). A malformed line is reported (file and
 * line number) and skipped: the rest of the file is served.
 */
import { basename } from 'node:path';
import { detectFormat, type Format } from './formats.js';
import type { Row } from './row.js';
import { lineBatches } from './lines.js';
import type { RowSource } from './merge.js';

/** A bad line: where and why. */
export type BadLine = (file: string, line: number, message: string) => void;

export class FileCursor implements RowSource {
  readonly path: string;
  readonly format: Format;
  /** Lines read so far (the header included): the number of the last line parsed. */
  line = 0;
  #rows: Row[] = [];
  #pos = 0;
  #ended = false;
  readonly #lines: AsyncGenerator<string[]>;
  readonly #onBad: BadLine;
  /** Raw columns of each buffered row, kept only when asked (the scan reads decimals from them). */
  readonly #keepCols: boolean;
  cols: string[][] = [];
  readonly #header: string;
  /** The format's line reader (without split), unless the raw columns are kept. */
  readonly #fast: ((line: string) => Row | string) | undefined;

  private constructor(path: string, format: Format, lines: AsyncGenerator<string[]>, first: string[], onBad: BadLine, keepCols: boolean) {
    this.path = path;
    this.format = format;
    this.#lines = lines;
    this.#onBad = onBad;
    this.#keepCols = keepCols;
    this.#header = first[0]!;
    // The fast formats keep their prices and sizes in the last two columns (all the scan reads, with the exchange).
    this.#fast = format.lineParser?.();
    this.#parse(first);
  }

  /** Opens `path` and reads its first batch; throws an Error naming the file when its format is unknown. */
  static async open(path: string, onBad: BadLine, keepCols = false): Promise<FileCursor> {
    const lines = lineBatches(path);
    const first = await lines.next();
    const batch = first.done ? [] : first.value;
    if (batch.length === 0) {
      await lines.return(undefined);
      throw new Error(`${path}: empty file`);
    }
    const format = detectFormat(batch[0]!, basename(path));
    if (typeof format === 'string') {
      await lines.return(undefined);
      throw new Error(`${path}: ${format}`);
    }
    return new FileCursor(path, format, lines, batch, onBad, keepCols);
  }

  head(): Row | undefined {
    return this.#rows[this.#pos];
  }

  /** The raw columns of the head row (only with keepCols). */
  headCols(): string[] | undefined {
    return this.cols[this.#pos];
  }

  advance(): void {
    this.#pos++;
  }

  get ended(): boolean {
    return this.#ended && this.#pos >= this.#rows.length;
  }

  /** Whether rows are buffered or the file has ended (else call fill()). */
  get ready(): boolean {
    return this.#pos < this.#rows.length || this.#ended;
  }

  /** Reads batches until a row is buffered or the file ends. */
  async fill(): Promise<void> {
    while (!this.ready) {
      const r = await this.#lines.next();
      if (r.done) this.#ended = true;
      else this.#parse(r.value);
    }
  }

  async close(): Promise<void> {
    this.#ended = true;
    await this.#lines.return(undefined);
  }

  #parse(lines: string[]): void {
    const rows: Row[] = [];
    const cols: string[][] = [];
    const skipHeader = this.line === 0 && this.format.header;
    for (let i = skipHeader ? 1 : 0; i < lines.length; i++) {
      const text = lines[i]!;
      // Blank lines, and a header repeated where a recording was appended to, say nothing.
      if (text === '' || (this.format.header && text === this.#header)) continue;
      const c = this.#fast ? undefined : text.split(',');
      const row = this.#fast ? this.#fast(text) : this.format.parse(c!);
      if (typeof row === 'string') this.#onBad(this.path, this.line + i + 1, row);
      else {
        rows.push(row);
        if (this.#keepCols) cols.push(c ?? lastTwo(text));
      }
    }
    this.line += lines.length;
    this.#rows = rows;
    this.#pos = 0;
    if (this.#keepCols) this.cols = cols;
  }
}

/** Columns of a fast-format line as the scan reads them: the exchange, and the last two (price, amount) at 6 and 7. */
function lastTwo(line: string): string[] {
  const b = line.lastIndexOf(',');
  const a = line.lastIndexOf(',', b - 1);
  const c: string[] = [line.slice(0, line.indexOf(','))];
  c[6] = line.slice(a + 1, b);
  c[7] = line.slice(b + 1);
  return c;
}

/**
 * The k-way merge of recorded files: rows of all files in order of receive time (`recv`), ties
 * in file order (the order the files were given). Pure over RowSources; a source that has run
 * dry but not ended must be filled (async I/O) before the merge can go on.
 */
import type { Row } from './row.js';

export interface RowSource {
  head(): Row | undefined;
  advance(): void;
  /** Rows are buffered, or the source has ended. */
  readonly ready: boolean;
  readonly ended: boolean;
  fill(): Promise<void>;
}

export class RowMerge<S extends RowSource = RowSource> {
  readonly sources: readonly S[];
  /** Index of the source of the row peek() returned. */
  next = -1;

  constructor(sources: readonly S[]) {
    this.sources = sources;
  }

  /**
   * The next row without taking it (its source's index in `next`), undefined when every source
   * has ended, or `'fill'` when a source must be filled first (await fill()). A linear scan:
   * files are few.
   */
  peek(): Row | undefined | 'fill' {
    let best = -1;
    let bestRecv = Infinity;
    const ss = this.sources;
    for (let i = 0; i < ss.length; i++) {
      const s = ss[i]!;
      if (!s.ready) return 'fill';
      const h = s.head();
      if (h && h.recv < bestRecv) {
        best = i;
        bestRecv = h.recv;
      }
    }
    this.next = best;
    return best < 0 ? undefined : ss[best]!.head();
  }

  /** Takes the row peek() returned. */
  advance(): void {
    this.sources[this.next]!.advance();
  }

  /** peek() and advance() in one: the next row, taken. */
  take(): Row | undefined | 'fill' {
    const r = this.peek();
    if (r !== undefined && r !== 'fill') this.advance();
    return r;
  }

  /** Fills every source that needs it. */
  async fill(): Promise<void> {
    await Promise.all(this.sources.filter((s) => !s.ready).map((s) => s.fill()));
  }
}

/**
 * When `npm run subscribe` ends, and with which exit code (pure: fed the client's events).
 *   0  done: `--count` records written (or Ctrl-C)
 *   2  bad usage (decided by args.ts, before any connection)
 *   3  every stream asked for was refused: unknown symbol or channel, not covered by the
 *      token (`forbidden`), or over the server's symbol limit
 *   4  connection failed: more consecutive failed attempts than `--retries`
 */
import type { ClientStatus } from '../../shared/client/types.js';
import type { Channel, ErrorMsg } from '../../shared/protocol.js';

export const EXIT = { done: 0, usage: 2, refused: 3, connection: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface Ending {
  code: ExitCode;
  /** For stderr; absent when the end is the normal one. */
  message?: string;
}

export class RunOutcome {
  /** Streams asked for and not refused: [symbol, channel]. */
  #open: [string, string][];
  readonly #count?: number;
  readonly #retries: number;
  #records = 0;

  /** `count`: records to write before exiting 0 (none: run until stopped); `retries`: failed attempts in a row tolerated. */
  constructor(symbols: string[], channels: Channel[], opts: { count?: number; retries: number }) {
    this.#open = symbols.flatMap((s) => channels.map((c): [string, string] => [s, c]));
    this.#count = opts.count;
    this.#retries = opts.retries;
  }

  get records(): number {
    return this.#records;
  }

  /** Whether another record may still be written (false once `count` is reached). */
  get wanted(): boolean {
    return this.#count === undefined || this.#records < this.#count;
  }

  /** A record was written; the ending once it was the `count`th. */
  record(): Ending | undefined {
    this.#records++;
    return this.#count !== undefined && this.#records >= this.#count ? { code: EXIT.done } : undefined;
  }

  /** `reconnecting` carries the attempt about to be made: attempt - 1 attempts have failed in a row. */
  status(s: ClientStatus): Ending | undefined {
    if (s.state !== 'reconnecting' || s.attempt - 1 <= this.#retries) return undefined;
    return { code: EXIT.connection, message: `connection failed after ${s.attempt - 1} attempt${s.attempt === 2 ? '' : 's'}: ${s.reason}` };
  }

  /** A server `error`: the streams it refuses will not come; the ending once none is left. */
  error(e: ErrorMsg): Ending | undefined {
    const symbols = Array.isArray(e.symbols) ? e.symbols : [];
    const channels = Array.isArray(e.channels) ? e.channels : [];
    let refused: (symbol: string, channel: string) => boolean;
    if ((e.code === 'unknown_symbol' || e.code === 'limit_exceeded') && symbols.length) refused = (s) => symbols.includes(s);
    else if (e.code === 'unknown_channel' && channels.length) refused = (_s, c) => channels.includes(c);
    else if (e.code === 'forbidden' && (symbols.length || channels.length))
      refused = (s, c) => (!symbols.length || symbols.includes(s)) && (!channels.length || channels.includes(c));
    else return undefined;
    const before = this.#open.length;
    this.#open = this.#open.filter(([s, c]) => !refused(s, c));
    if (this.#open.length > 0 || before === 0) return undefined;
    return { code: EXIT.refused, message: 'every symbol asked for was refused' };
  }
}

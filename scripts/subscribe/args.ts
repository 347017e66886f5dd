/** Command-line arguments of `npm run subscribe` (pure). */
import { parseArgs } from 'node:util';
import { isChannel, type Channel } from '../../shared/protocol.js';
import type { TransportChoice } from '../../shared/client/types.js';

export interface SubscribeArgs {
  symbols: string[];
  channels: Channel[];
  throttle: number;
  transport: TransportChoice;
  urls: string[];
  token?: string;
  /** Exit 0 after this many records (NDJSON lines, or changes shown in the table); absent: run until stopped. */
  count?: number;
  /** Absent: `table` when stdout is a terminal, `ndjson` otherwise. */
  format?: Format;
  /** Consecutive failed connection attempts tolerated before exiting 4 (default 5). */
  retries: number;
  help: boolean;
}

/** Failed connection attempts in a row tolerated by default before giving up. */
export const DEFAULT_RETRIES = 5;
export const DEFAULT_URL = 'http://localhost:8080';

export const FORMATS = ['ndjson', 'table'] as const;
export type Format = (typeof FORMATS)[number];

export const USAGE = `usage: npm run subscribe -- SYMBOL... [options]

  SYMBOL              any case (aapl, btc-usd) when it names one symbol
  --channels LIST     comma-separated: ticker, trades, book, candles:1s|1m|5m|1h (default ticker)
  --throttle MS       at most one update per stream per MS (default 0: every event)
  --transport KIND    ws, sse or auto (default auto: WebSocket, SSE when it is blocked)
  --url URL           server base URL (default $TICKWIRE_URL, else ${DEFAULT_URL});
                      repeat for fallbacks
  --token TOKEN       for servers that require one
  --count N           exit 0 after N records (JSON lines, or changes shown in the table)
  --format KIND       ndjson or table (default: table on a terminal, ndjson otherwise)
  --retries N         give up (exit 4) after N+1 failed connection attempts in a row
                      (default ${DEFAULT_RETRIES})
  -h, --help          this text

NDJSON: one JSON line per applied change on stdout (for trades, only the new trades);
status and errors go to stderr. The table fits the terminal's height; piped, it is written
once, at the end. NO_COLOR=1 turns colours off.
Exit codes: 0 done (--count reached, or Ctrl-C), 2 bad usage, 3 every symbol refused
(unknown, or not allowed by the token), 4 connection failed (after --retries).`;

/**
 * Parses argv (without node and the script); `env` supplies TICKWIRE_URL. Throws an Error with
 * a message for the user.
 */
export function parseSubscribeArgs(argv: string[], env: Record<string, string | undefined> = {}): SubscribeArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      channels: { type: 'string' },
      throttle: { type: 'string' },
      transport: { type: 'string' },
      url: { type: 'string', multiple: true },
      token: { type: 'string' },
      count: { type: 'string' },
      format: { type: 'string' },
      retries: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const help = values.help ?? false;
  const symbols = [...new Set(positionals.flatMap((p) => p.split(',')).map((s) => s.trim()).filter(Boolean))];
  if (!help && symbols.length === 0) throw new Error('name at least one symbol, e.g. AAPL MSFT');
  const channels = (values.channels ?? 'ticker').split(',').map((c) => c.trim()).filter(Boolean);
  const bad = channels.filter((c) => !isChannel(c));
  if (bad.length) throw new Error(`unknown channel(s): ${bad.join(', ')}`);
  const throttle = Number(values.throttle ?? 0);
  if (!Number.isFinite(throttle) || throttle < 0) throw new Error('--throttle must be a number of milliseconds >= 0');
  const transport = values.transport ?? 'auto';
  if (transport !== 'ws' && transport !== 'sse' && transport !== 'auto') throw new Error('--transport must be ws, sse or auto');
  const fromEnv = env.TICKWIRE_URL?.trim();
  const urls = values.url?.length ? values.url : fromEnv ? [fromEnv] : [DEFAULT_URL];
  for (const u of urls) {
    const where = values.url?.length ? '' : ' (from TICKWIRE_URL)';
    if (!/^(https?|wss?):\/\/[^/]/.test(u)) throw new Error(`not a server URL${where}: ${u} (e.g. ${DEFAULT_URL})`);
  }
  const count = values.count === undefined ? undefined : whole(values.count, '--count', 1);
  const retries = values.retries === undefined ? DEFAULT_RETRIES : whole(values.retries, '--retries', 0);
  const format = values.format;
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) throw new Error(`--format must be ${FORMATS.join(' or ')}`);
  return {
    symbols,
    channels: channels as Channel[],
    throttle,
    transport,
    urls,
    ...(values.token ? { token: values.token } : {}),
    ...(count !== undefined ? { count } : {}),
    ...(format !== undefined ? { format: format as Format } : {}),
    retries,
    help,
  };
}

function whole(raw: string, name: string, min: number): number {
  const v = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < min) throw new Error(`${name} must be a whole number >= ${min}, got ${JSON.stringify(raw)}`);
  return v;
}

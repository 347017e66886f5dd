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
  help: boolean;
}

export const USAGE = `usage: npm run subscribe -- SYMBOL... [options]

  --channels LIST     comma-separated: ticker, trades, candles:1s|1m|5m|1h (default ticker)
  --throttle MS       at most one update per stream per MS (default 0: every event)
  --transport KIND    ws, sse or auto (default auto: WebSocket, SSE when it is blocked)
  --url URL           server base URL (default http://localhost:8080); repeat for fallbacks
  --token TOKEN       for servers that require one
  -h, --help          this text

On a terminal it shows a live table; piped, it writes one JSON line per applied change.`;

/** Parses argv (without node and the script); throws an Error with a message for the user. */
export function parseSubscribeArgs(argv: string[]): SubscribeArgs {
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
  const urls = values.url?.length ? values.url : ['http://localhost:8080'];
  for (const u of urls) {
    if (!/^(https?|wss?):\/\//.test(u)) throw new Error(`not a server URL: ${u} (e.g. http://localhost:8080)`);
  }
  return { symbols, channels: channels as Channel[], throttle, transport, urls, ...(values.token ? { token: values.token } : {}), help };
}

/**
 * REST: `/api/symbols`, `/api/snapshot`, `/api/candles`, `/healthz`. Errors are JSON
 * `{ type: 'error', code, message }` with the protocol's codes.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { INTERVALS, isChannel, type Channel, type ErrorCode, type Interval } from '../../shared/protocol.js';
import { HISTORY_CAP } from '../market/market-state.js';
import type { MarketView } from './market-view.js';

export interface HealthInfo {
  (): Record<string, unknown>;
}

const fail = (reply: FastifyReply, status: number, code: ErrorCode, message: string, extra: object = {}) =>
  reply.code(status).send({ type: 'error', code, message, ...extra, t: Date.now() });

const csv = (v: unknown): string[] | undefined =>
  typeof v === 'string' && v.length > 0 ? [...new Set(v.split(',').map((x) => x.trim()).filter(Boolean))] : undefined;

export function registerRest(app: FastifyInstance, view: MarketView, health: HealthInfo): void {
  app.get('/healthz', async () => ({ status: 'ok', ...health() }));

  app.get('/api/symbols', async () => view.symbols());

  app.get('/api/snapshot', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const symbols = csv(q.symbols) ?? (await view.symbols()).map((s) => s.symbol);
    const chs = csv(q.channels) ?? ['ticker'];
    const badCh = chs.filter((c) => !isChannel(c));
    if (badCh.length) return fail(reply, 400, 'unknown_channel', `unknown channel(s): ${badCh.join(', ')}`, { channels: badCh });
    if (symbols.length > 10000) return fail(reply, 400, 'limit_exceeded', 'at most 10000 symbols');
    const items = [];
    const unknown: string[] = [];
    for (const s of symbols) {
      for (const ch of chs as Channel[]) {
        const snap = await view.snapshot(s, ch);
        if (snap) items.push(snap);
        else if (!unknown.includes(s)) unknown.push(s);
      }
    }
    if (items.length === 0) return fail(reply, 404, 'unknown_symbol', `unknown symbol(s): ${unknown.join(', ')}`, { symbols: unknown });
    return { type: 'snapshot', t: Date.now(), items, ...(unknown.length ? { unknown } : {}) };
  });

  app.get('/api/candles', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const symbol = typeof q.symbol === 'string' ? q.symbol : '';
    const interval = (typeof q.interval === 'string' ? q.interval : '1m') as Interval;
    if (!symbol) return fail(reply, 400, 'bad_request', '`symbol` is required');
    if (!(interval in INTERVALS)) return fail(reply, 400, 'bad_request', `interval must be one of ${Object.keys(INTERVALS).join(', ')}`);
    const limit = q.limit === undefined ? 300 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1) return fail(reply, 400, 'bad_request', '`limit` must be a positive integer');
    const bars = await view.candles(symbol, interval, Math.min(limit, HISTORY_CAP[interval]));
    if (!bars) return fail(reply, 404, 'unknown_symbol', `unknown symbol ${JSON.stringify(symbol.slice(0, 32))}`, { symbols: [symbol] });
    return { symbol, interval, bars };
  });
}

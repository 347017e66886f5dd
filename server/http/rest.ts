/**
 * REST: `/api/symbols`, `/api/snapshot`, `/api/candles`, `/healthz`, in one encapsulated scope.
 * Every query is validated by a TypeBox schema (JSON Schema, Fastify's Ajv with its usual
 * coercion); unknown parameters (`token`, cache-busters) are ignored. Every answer that is not
 * 2xx is JSON `{type: "error", code, message, t}` with a protocol code (plus `symbols` /
 * `channels` where those were refused): 400 for bad input, 403 `forbidden` for what the
 * principal's rights do not cover, 404 for unknown symbols or endpoints, 503 `unavailable`
 * when the market view fails; never a 500 and never an internal message.
 * Cost is linear in the input: symbol lookups go through a Set, names longer than MAX_NAME are
 * refused without lookup and echoed cut, and a named list is capped at `maxSymbols`.
 */
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import pLimit from 'p-limit';
import { INTERVAL_NAMES, isChannel, type Channel, type ErrorCode, type SymbolInfo } from '../../shared/protocol.js';
import type { Rights } from '../auth/entitlements.js';
import { forbiddenMessage, type Forbidden } from '../auth/session-rights.js';
import { MAX_NAME } from '../fanout/validate.js';
import { HISTORY_CAP } from '../market/market-state.js';
import './authenticate.js';
import type { MarketView } from './market-view.js';
import { QuietLog } from '../lib/quiet-log.js';
import { replyError } from '../lib/error-reply.js';
import { jsonArrayInSlices, mapInSlices, type SliceOptions } from './sliced.js';
import { Turns } from '../lib/turns.js';
import type { StreamSnapshot } from '../market/stream-event.js';
import { CANDLES_RESPONSES, HEALTH_RESPONSES, SNAPSHOT_RESPONSES, SYMBOLS_RESPONSES } from '../docs/rest-schemas.js';

export interface HealthInfo {
  (): Record<string, unknown>;
}

export interface RestOptions {
  /** Most symbols one `/api/snapshot` may name (limits.symbols); default 1000. */
  maxSymbols?: number;
  /** Called once per refusal for the principal's rights (metric reason `forbidden`). */
  onForbidden?: () => void;
  now?: () => number;
}

type Refused = Forbidden;

const SnapshotQuery = Type.Object({
  symbols: Type.Optional(Type.String({ description: 'comma-separated symbols; default: every symbol served (and covered)' })),
  channels: Type.Optional(Type.String({ description: 'comma-separated channels; default: ticker' })),
});
const CandlesQuery = Type.Object({
  symbol: Type.String(),
  interval: Type.Optional(Type.Enum(INTERVAL_NAMES, { default: '1m' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 300, description: 'bars; capped by the history kept' })),
});
const NoQuery = Type.Object({});

/** Answers of this many items or more are big: only BUILDING_AT_ONCE of them are built at a time. */
const BIG_ANSWER = 256;
const BUILDING_AT_ONCE = 4;

/** A name as it may be echoed: at most MAX_NAME characters, marked when cut. */
const cut = (s: string) => (s.length > MAX_NAME ? `${s.slice(0, MAX_NAME)}…` : s);

/** Comma-separated names, trimmed, blanks dropped, first occurrence kept. */
const names = (raw: string): string[] => [...new Set(raw.split(',').map((x) => x.trim()).filter(Boolean))];

/** `what` for a refusal listing: up to 10 quoted names. */
const listed = (xs: readonly string[]) => xs.slice(0, 10).map((x) => JSON.stringify(x)).join(', ') + (xs.length > 10 ? ', …' : '');

/** The set of symbol names, built once per list the view hands out (it keeps returning the same one). */
const knownSets = new WeakMap<readonly SymbolInfo[], ReadonlySet<string>>();
function knownOf(list: readonly SymbolInfo[]): ReadonlySet<string> {
  let set = knownSets.get(list);
  if (!set) knownSets.set(list, (set = new Set(list.map((s) => s.symbol))));
  return set;
}

/** The rights the access guard found (undefined: full access). */
const rightsOf = (req: FastifyRequest): Rights | undefined => req.principal?.rights;

export function registerRest(app: FastifyInstance, view: MarketView, health: HealthInfo, o: RestOptions = {}): void {
  const now = o.now ?? Date.now;
  const maxSymbols = o.maxSymbols ?? 1000;
  const forbiddenLog = new QuietLog((obj, msg) => app.log.info(obj, msg), now);
  // Every big answer's slices take turns across all requests: a few ms of them per event-loop iteration.
  const turns = new Turns();
  const sliced: SliceOptions = { pause: () => turns.next() };
  // And only a few big answers are built at once, the rest wait whole: the same work in the same
  // time, but a thousand half-built answers (3.6 million bars) no longer all live at once for the
  // collector to copy and promote (the rest-candles storm: scavenges of 10-33 ms every 80 ms).
  const building = pLimit(BUILDING_AT_ONCE);
  const big = <T>(items: number, work: () => Promise<T>): Promise<T> => (items >= BIG_ANSWER ? building(work) : work());

  const fail = (reply: FastifyReply, status: number, code: ErrorCode, message: string, extra: Refused = {}) => replyError(reply, status, code, message, now(), extra);

  const forbid = (req: FastifyRequest, reply: FastifyReply, refused: Refused) => {
    o.onForbidden?.();
    forbiddenLog.line({ ip: req.ip, sub: req.principal?.sub, route: req.routeOptions.url, ...refused }, 'request forbidden');
    return fail(reply, 403, 'forbidden', forbiddenMessage(refused), refused);
  };

  app.register(async (scope) => {
    const api = scope.withTypeProvider<TypeBoxTypeProvider>();
    // Response schemas document the answers (/openapi.json); they must not filter or coerce them.
    scope.setSerializerCompiler(() => (data) => JSON.stringify(data));

    scope.setErrorHandler((err: FastifyError, req, reply) => {
      if (err.validation) return fail(reply, 400, 'bad_request', validationMessage(err));
      const status = err.statusCode ?? 500;
      if (status >= 400 && status < 500) return fail(reply, status, status === 413 ? 'limit_exceeded' : 'bad_request', (STATUS_CODES[status] ?? 'bad request').toLowerCase());
      req.log.warn({ err, route: req.routeOptions.url }, 'REST request failed');
      return fail(reply, 503, 'unavailable', 'the server cannot serve this request now; retry later');
    });

    api.get('/healthz', { schema: { querystring: NoQuery, response: HEALTH_RESPONSES } }, async (_req, reply) => {
      const h = { status: 'ok', ...health() };
      if (h.status !== 'ok') reply.code(503); // a role's health may say `degraded` (and why)
      return h;
    });

    api.get('/api/symbols', { schema: { querystring: NoQuery, response: SYMBOLS_RESPONSES } }, async (req, reply) => {
      const all = await view.symbols();
      // Every node serves at least one symbol: none means a gateway has not read the list yet.
      if (all.length === 0) return fail(reply, 503, 'unavailable', 'the symbol list is not available yet; retry later');
      const rights = rightsOf(req);
      return rights && !rights.full ? all.filter((s) => rights.allowsSymbol(s.symbol)) : all;
    });

    api.get('/api/snapshot', { schema: { querystring: SnapshotQuery, response: SNAPSHOT_RESPONSES } }, async (req, reply) => {
      const q = req.query;
      const named = q.symbols === undefined ? undefined : names(q.symbols);
      if (named?.length === 0) return fail(reply, 400, 'bad_request', '`symbols` names no symbol');
      if (named && named.length > maxSymbols) return fail(reply, 400, 'limit_exceeded', `at most ${maxSymbols} symbols per request`);
      const chs = q.channels === undefined ? ['ticker'] : names(q.channels);
      if (chs.length === 0) return fail(reply, 400, 'bad_request', '`channels` names no channel');
      const badCh = chs.filter((c) => !isChannel(c)).map(cut);
      if (badCh.length) return fail(reply, 400, 'unknown_channel', `unknown channel(s): ${listed(badCh)}`, { channels: badCh });

      const rights = rightsOf(req);
      if (rights && !rights.full) {
        // Long names are refused unlooked-up, so a prefix pattern never gets to cover one.
        const symbols = named?.filter((s) => s.length > MAX_NAME || !rights.allowsSymbol(s)).map(cut) ?? [];
        const channels = rights.refused([], chs).channels;
        if (symbols.length || channels.length) return forbid(req, reply, { ...(symbols.length ? { symbols } : {}), ...(channels.length ? { channels } : {}) });
      }

      const universe = await view.symbols();
      const known = knownOf(universe);
      const wanted = named ?? (rights && !rights.full ? rights.filterSymbols(universe.map((s) => s.symbol)) : universe.map((s) => s.symbol));
      // By default too: an answer is at most maxSymbols symbols (refused, not paged: PROTOCOL.md).
      if (!named && wanted.length > maxSymbols) return fail(reply, 400, 'limit_exceeded', `at most ${maxSymbols} symbols per request: name them with \`symbols\``);
      const unknown = new Set<string>();
      const asked: [string, Channel][] = [];
      const read: string[] = [];
      for (const s of wanted) {
        if (s.length > MAX_NAME || !known.has(s)) unknown.add(cut(s));
        else {
          read.push(s);
          for (const ch of chs as Channel[]) asked.push([s, ch]);
        }
      }
      await view.warm?.(read, req);
      return big(asked.length, async () => {
        let snaps: (StreamSnapshot | undefined)[];
        try {
          const got = await mapInSlices(asked, ([s, ch]) => view.snapshot(s, ch), sliced);
          snaps = got.some((x) => x instanceof Promise) ? await Promise.all(got) : (got as (StreamSnapshot | undefined)[]);
        } finally {
          view.done?.(read);
        }
        const items = [];
        for (let i = 0; i < snaps.length; i++) {
          const snap = snaps[i];
          if (snap) items.push(snap);
          else unknown.add(asked[i][0]); // listed, but the view holds no state for it (yet)
        }
        if (named && items.length === 0) return fail(reply, 404, 'unknown_symbol', `unknown symbol(s): ${listed([...unknown])}`, { symbols: [...unknown] });
        // The JSON written in slices too; the fields as the serializer would give them.
        const body = `{"type":"snapshot","t":${now()},"items":${await jsonArrayInSlices(items, sliced)}${unknown.size ? `,"unknown":${JSON.stringify([...unknown])}` : ''}}`;
        return reply.type('application/json; charset=utf-8').send(body);
      });
    });

    api.get('/api/candles', { schema: { querystring: CandlesQuery, response: CANDLES_RESPONSES } }, async (req, reply) => {
      const { symbol } = req.query;
      const interval = req.query.interval ?? '1m';
      const limit = req.query.limit ?? 300;
      if (!symbol) return fail(reply, 400, 'bad_request', '`symbol` is required');
      // Ajv's integer check lets Infinity through (`limit=1e400`).
      if (!Number.isSafeInteger(limit)) return fail(reply, 400, 'bad_request', '`limit` must be an integer from 1 to 1000000');
      const rights = rightsOf(req);
      if (rights && !rights.full) {
        const ch = `candles:${interval}`;
        const badSym = symbol.length > MAX_NAME || !rights.allowsSymbol(symbol);
        if (badSym || !rights.allowsChannel(ch)) return forbid(req, reply, { ...(badSym ? { symbols: [cut(symbol)] } : {}), ...(rights.allowsChannel(ch) ? {} : { channels: [ch] }) });
      }
      const unknown = () => fail(reply, 404, 'unknown_symbol', `unknown symbol ${JSON.stringify(cut(symbol))}`, { symbols: [cut(symbol)] });
      if (symbol.length > MAX_NAME || !knownOf(await view.symbols()).has(symbol)) return unknown();
      await view.warm?.([symbol], req, 'full');
      const n = Math.min(limit, HISTORY_CAP[interval]);
      return big(n, async () => {
        const bars = await view.candles(symbol, interval, n);
        if (!bars) return unknown();
        const body = `{"symbol":${JSON.stringify(symbol)},"interval":${JSON.stringify(interval)},"bars":${await jsonArrayInSlices(bars, sliced)}}`;
        return reply.type('application/json; charset=utf-8').send(body);
      });
    });

    // Anything else under /api/ is a JSON 404 too (not the dashboard's file server's answer).
    // OPTIONS stays with CORS, which answers preflights for the whole server.
    scope.route({
      method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
      url: '/api/*',
      handler: async (req, reply) => fail(reply, 404, 'bad_request', 'no such endpoint: GET /api/symbols, /api/snapshot or /api/candles'),
    });
  });
}

/** Ajv's first error as a sentence about the parameter, e.g. "`limit` must be integer". */
function validationMessage(err: FastifyError): string {
  const e = err.validation?.[0];
  if (!e) return 'bad request';
  const params = e.params as { missingProperty?: string; allowedValues?: unknown[] };
  if (e.keyword === 'required' && params.missingProperty) return `\`${params.missingProperty}\` is required`;
  const name = e.instancePath.replace(/^\//, '') || 'query';
  if (e.keyword === 'enum' && params.allowedValues) return `\`${name}\` must be one of ${params.allowedValues.join(', ')}`;
  return `\`${name}\` ${e.message ?? 'is invalid'}`;
}

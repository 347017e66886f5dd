/** MarketClient's options resolved for its Connector: defaults, and the implementations found (browser globals or the ones passed in). */
import type { ConnectorOptions } from './connector.js';
import type { EventSourceCtor, FetchLike } from './sse-link.js';
import type { ClientOptions } from './types.js';
import type { WebSocketCtor } from './ws-link.js';

/** Throws when no URL is given or the transport asked for has no implementation. */
export function connectorOptions(o: ClientOptions): ConnectorOptions {
  const urls = (Array.isArray(o.urls) ? o.urls : [o.urls]).filter(Boolean);
  if (urls.length === 0) throw new Error('MarketClient: at least one server URL is needed');
  const transport = o.transport ?? 'auto';
  const g = globalThis as { WebSocket?: unknown; EventSource?: unknown; fetch?: unknown };
  const WebSocket = (o.WebSocket ?? g.WebSocket) as WebSocketCtor | undefined;
  const EventSource = (o.EventSource ?? g.EventSource) as EventSourceCtor | undefined;
  const fetchFn = (o.fetch ?? (g.fetch ? (g.fetch as FetchLike).bind(globalThis) : undefined)) as FetchLike | undefined;
  if (transport !== 'sse' && !WebSocket && (transport === 'ws' || !EventSource))
    throw new Error('MarketClient: no WebSocket implementation (in Node, pass `ws` as options.WebSocket)');
  if (transport === 'sse' && !EventSource)
    throw new Error('MarketClient: no EventSource implementation (in Node, pass `eventsource` as options.EventSource)');
  return {
    urls,
    transport,
    WebSocket,
    EventSource,
    fetch: fetchFn,
    token: o.token,
    getToken: o.getToken,
    baseDelayMs: o.baseDelayMs ?? 500,
    maxDelayMs: o.maxDelayMs ?? 30_000,
    wsRetryMs: o.wsRetryMs ?? 60_000,
    connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    now: o.now ?? Date.now,
    random: o.random ?? Math.random,
  };
}

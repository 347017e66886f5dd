/**
 * The AsyncAPI 3.1 document of the streaming API (pure): `/ws` (binary WebSocket frames, one
 * MessagePack message each), `/sse` (Server-Sent Events: `event:` the message type, `data:` the
 * message as JSON) and its control POST `/sse/{session}`, with every message of protocol 1.1
 * and its JSON Schema. The document describes the server: `send` is what it sends, `receive`
 * what it takes. Channel ids are the paths' names (AsyncAPI ids allow no `/`); addresses are
 * the paths as the protocol names them. The protocol's own channels (ticker, trades,
 * candles:<interval>, book) are the `ch` of every item, each with the shape of its `d`.
 */
import { CHANNELS } from '../../shared/protocol.js';
import { ACCEPTED, CLIENT_MESSAGES, SERVER_MESSAGES } from './message-schemas.js';

export const ASYNCAPI_VERSION = '3.1.0';
/** The protocol version the document describes (hello.v 1, hello.minor 1). */
export const API_VERSION = '1.1.0';

export const MSGPACK = 'application/vnd.msgpack';
export const JSON_TYPE = 'application/json';

export interface AsyncApiOptions {
  /** `host[:port]` clients connect to, e.g. `localhost:8080`. */
  host: string;
  /** Whether the port serves TLS (wss/https). */
  tls: boolean;
}

type ClientName = keyof typeof CLIENT_MESSAGES;
type ServerName = keyof typeof SERVER_MESSAGES;

const pascal = (s: string) => s[0].toUpperCase() + s.slice(1);
/** Keys inside a channel: the client's `snapshot` request and the server's `snapshot` share a type. */
const clientKey = (n: ClientName) => (n === 'snapshot' ? 'snapshotRequest' : n);
const schemaName = (n: string) => pascal(n);
const ref = ($ref: string) => ({ $ref });

const CLIENT_NAMES = Object.keys(CLIENT_MESSAGES) as ClientName[];
const SERVER_NAMES = Object.keys(SERVER_MESSAGES) as ServerName[];
/** What a control POST answers in its body (sse-answer.ts): the rest goes on the event stream. */
const CONTROL_REPLIES = ['subscribed', 'unsubscribed', 'pong', 'error', 'refreshed'] as const;

/** The query of `GET /sse`: an optional first subscription, as in a `subscribe`. */
const SSE_QUERY = {
  type: 'object',
  properties: {
    symbols: { type: 'string', description: 'comma-separated symbols to subscribe at once' },
    channels: { type: 'string', description: 'comma-separated channels (default ticker)' },
    throttle: { type: 'string', description: 'ms (default 0)' },
    since: { type: 'string', description: '1.1: the JSON array of positions, URL-encoded' },
    token: { type: 'string', description: 'when the server requires tokens (or Authorization: Bearer)' },
  },
};
const TOKEN_QUERY = { type: 'object', properties: { token: { type: 'string', description: 'when the server requires tokens (or Authorization: Bearer)' } } };

export function asyncApiDocument(o: AsyncApiOptions): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  for (const n of CLIENT_NAMES) schemas[schemaName(clientKey(n))] = CLIENT_MESSAGES[n];
  for (const n of SERVER_NAMES) schemas[schemaName(n)] = SERVER_MESSAGES[n];
  schemas.Accepted = ACCEPTED;

  const messages: Record<string, unknown> = {};
  const message = (prefix: 'ws' | 'sse', key: string, type: string, contentType: string, summary: string) => {
    const id = `${prefix}${pascal(key)}`;
    messages[id] = { name: type, title: `${type} (${prefix === 'ws' ? 'WebSocket' : 'SSE'})`, summary, contentType, payload: ref(`#/components/schemas/${schemaName(key)}`) };
    return id;
  };
  const wsBinary = 'one binary WebSocket frame holding the message as MessagePack';
  const sseEvent = (type: string) => `an SSE event: \`event: ${type}\`, \`data:\` the message as JSON`;
  const ws: Record<string, unknown> = {};
  const sse: Record<string, unknown> = {};
  const control: Record<string, unknown> = {};
  for (const n of CLIENT_NAMES) {
    ws[clientKey(n)] = ref(`#/components/messages/${message('ws', clientKey(n), n, MSGPACK, wsBinary)}`);
    control[clientKey(n)] = ref(`#/components/messages/${message('sse', clientKey(n), n, JSON_TYPE, 'the body of a control POST, as JSON')}`);
  }
  for (const n of SERVER_NAMES) {
    ws[n] = ref(`#/components/messages/${message('ws', n, n, MSGPACK, wsBinary)}`);
    sse[n] = ref(`#/components/messages/${message('sse', n, n, JSON_TYPE, sseEvent(n))}`);
  }
  for (const n of CONTROL_REPLIES) control[n] = sse[n];
  control.accepted = ref(`#/components/messages/${message('sse', 'accepted', 'accepted', JSON_TYPE, 'a 202 body: the answer goes on the event stream')}`);

  const inChannel = (channel: string, keys: readonly string[]) => keys.map((k) => ref(`#/channels/${channel}/messages/${k}`));
  const security = [ref('#/components/securitySchemes/bearer'), ref('#/components/securitySchemes/token')];
  const wsProto = o.tls ? 'wss' : 'ws';
  const httpProto = o.tls ? 'https' : 'http';

  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: 'Tickwire streaming API',
      version: API_VERSION,
      description: [
        'Live market data: protocol version 1 with the 1.1 additions (epochs, recovery with `since`, the `book` channel, token refresh).',
        `Streams are (symbol, channel) pairs; channels: ${CHANNELS.join(', ')}.`,
        'Every server message carries `t`; objects may gain fields, which clients ignore. Tokens are needed only on a server configured with them.',
      ].join(' '),
    },
    defaultContentType: JSON_TYPE,
    servers: {
      ws: { host: o.host, protocol: wsProto, description: 'WebSocket: every frame in both directions is binary MessagePack', security },
      http: { host: o.host, protocol: httpProto, description: 'Server-Sent Events and their control POSTs (JSON)', security },
    },
    channels: {
      ws: {
        address: '/ws',
        title: 'WebSocket',
        description: 'One connection carries every subscription; `hello` comes first.',
        servers: [ref('#/servers/ws')],
        messages: ws,
        bindings: { ws: { method: 'GET', query: TOKEN_QUERY, bindingVersion: '0.1.0' } },
      },
      sse: {
        address: '/sse',
        title: 'Server-Sent Events',
        description: 'The same messages as JSON events named by their type; `hello.control` names the control path.',
        servers: [ref('#/servers/http')],
        messages: sse,
      },
      sseControl: {
        address: '/sse/{session}',
        title: 'SSE control',
        description: 'POST one client message as JSON; the main answer is the response body, the rest goes on the event stream. 404: no such session.',
        servers: [ref('#/servers/http')],
        parameters: { session: { description: 'hello.session of the event stream' } },
        messages: control,
      },
    },
    operations: {
      wsReceive: { action: 'receive', title: 'Client messages over /ws', channel: ref('#/channels/ws'), messages: inChannel('ws', CLIENT_NAMES.map(clientKey)) },
      wsSend: { action: 'send', title: 'Server messages over /ws', channel: ref('#/channels/ws'), messages: inChannel('ws', SERVER_NAMES) },
      sseSend: {
        action: 'send',
        title: 'Server messages over /sse',
        channel: ref('#/channels/sse'),
        messages: inChannel('sse', SERVER_NAMES),
        bindings: { http: { method: 'GET', query: SSE_QUERY, bindingVersion: '0.3.0' } },
      },
      sseControl: {
        action: 'receive',
        title: 'Control messages for an SSE session',
        channel: ref('#/channels/sseControl'),
        messages: inChannel('sseControl', CLIENT_NAMES.map(clientKey)),
        bindings: { http: { method: 'POST', bindingVersion: '0.3.0' } },
        reply: { channel: ref('#/channels/sseControl'), messages: inChannel('sseControl', [...CONTROL_REPLIES, 'accepted']) },
      },
    },
    components: {
      schemas,
      messages,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT or a static token', description: '`Authorization: Bearer <token>`' },
        token: { type: 'httpApiKey', in: 'query', name: 'token', description: '`?token=<token>` (browsers cannot set headers on WebSocket or EventSource)' },
      },
    },
  };
}

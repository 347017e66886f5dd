/**
 * The URLs a client derives from one server base URL (pure). A base is `http(s)://host:port`,
 * optionally with a path prefix; `ws(s)://` bases are accepted too.
 */

const withSlash = (base: string) => (base.endsWith('/') ? base : base + '/');

function httpBase(base: string): URL {
  const u = new URL(withSlash(base.trim()));
  if (u.protocol === 'ws:') u.protocol = 'http:';
  if (u.protocol === 'wss:') u.protocol = 'https:';
  // A base given as the /ws or /sse endpoint itself means its server.
  u.pathname = u.pathname.replace(/\/(ws|sse)\/$/, '/');
  u.search = '';
  u.hash = '';
  return u;
}

/** The WebSocket endpoint: `ws(s)://host:port/ws`. */
export function wsEndpoint(base: string, token?: string): string {
  const u = new URL('ws', httpBase(base));
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token) u.searchParams.set('token', token);
  return u.toString();
}

/** The SSE stream: `http(s)://host:port/sse`, with the query the server reads. */
export function sseEndpoint(base: string, token?: string, query: Record<string, string> = {}): string {
  const u = new URL('sse', httpBase(base));
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  if (token) u.searchParams.set('token', token);
  return u.toString();
}

/** The control URL of an SSE session: `hello.control` (a path) resolved against the stream's URL. */
export function controlEndpoint(streamUrl: string, control: string, token?: string): string {
  const u = new URL(control, streamUrl);
  if (token) u.searchParams.set('token', token);
  return u.toString();
}

/** A REST path on the server: `http(s)://host:port/api/...`. */
export function apiEndpoint(base: string, path: string): string {
  return new URL(path.replace(/^\//, ''), httpBase(base)).toString();
}

/**
 * Why a server cannot be reached, in the operating system's words: the client only knows that
 * its WebSocket or SSE attempt failed, so one plain HTTP request to the same base URL names the
 * cause (connection refused, unknown host, timed out, TLS) for the final message.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const MEANING: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens on that port',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'host name lookup failed (DNS)',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset by the server',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** The cause of failing to reach `url`, e.g. `ECONNREFUSED 127.0.0.1:9 (connection refused: ...)`; undefined when it answers. */
export function connectionCause(url: string, timeoutMs = 3000): Promise<string | undefined> {
  const u = new URL(url.replace(/^ws/, 'http'));
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(new URL('/healthz', u), { method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode && res.statusCode < 500 ? undefined : `the server answers HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      const where = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? u.hostname : u.host;
      resolve(`${code || err.message} ${where}${MEANING[code] ? ` (${MEANING[code]})` : code ? ` (${err.message})` : ''}`);
    });
    req.end();
  });
}

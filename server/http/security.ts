/**
 * Security headers on every HTTP response (the dashboard's above all), set in onRequest so that
 * they survive `reply.hijack()` (the SSE stream copies the reply's headers). A WebSocket upgrade
 * writes its own 101 and ignores them.
 * - CSP: scripts, styles and data from this origin only; `connect-src` names this host's own
 *   ws/wss URLs (browsers before CSP 3 do not count ws: as 'self'); no framing.
 * - `Referrer-Policy: no-referrer`: a `?token=` in the page's URL never leaks to other sites.
 */
import type { FastifyInstance } from 'fastify';

/** A Host header that is safe to echo into a CSP: a name or address and an optional port. */
const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export function contentSecurityPolicy(host: string | undefined, tls: boolean): string {
  const sockets = host && HOST.test(host) ? (tls ? ` wss://${host}` : ` ws://${host} wss://${host}`) : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Svelte and the chart set inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function registerSecurityHeaders(app: FastifyInstance, o: { tls: boolean }): void {
  app.addHook('onRequest', async (req, reply) => {
    reply.headers({
      'Content-Security-Policy': contentSecurityPolicy(req.headers.host, o.tls),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
  });
}

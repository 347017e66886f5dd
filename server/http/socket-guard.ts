/**
 * TCP-level guards, below HTTP: they hold whatever a connection carries (nothing at all, a
 * half-sent request, a WebSocket, an event stream).
 * - At most `perIp` open TCP connections per peer address (LIMIT_SOCKETS_PER_IP; 0: off). Past
 *   it a new connection is destroyed at once, before any byte is read, and counted. Behind a
 *   proxy every connection comes from the proxy: set the limit there, or 0 here.
 * - A connection that has not sent a complete first request head within `headersTimeoutMs`
 *   (HEADERS_TIMEOUT_MS) is destroyed, idle ones included: Node's own headersTimeout only
 *   starts at a request's first byte. With TLS the clock starts once the handshake is done (the
 *   handshake has the same timeout, tls.ts). Later requests on a keep-alive connection are
 *   bounded by Node's headersTimeout and keepAliveTimeout (tls.ts).
 * - Every socket is tracked, so that shutdown can destroy what is left at its deadline.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

export interface SocketGuardOptions {
  perIp: number;
  headersTimeoutMs: number;
  /** Whether `server` is an https.Server (heads start after 'secureConnection'). */
  tls: boolean;
  onRefuse?: () => void;
  now?: () => number;
}

export interface SocketGuard {
  /** Open TCP connections by peer address. */
  readonly byIp: ReadonlyMap<string, number>;
  /** Destroys every connection still open (shutdown's deadline). */
  destroyAll(): void;
}

export function guardSockets(server: Server, o: SocketGuardOptions): SocketGuard {
  const now = o.now ?? Date.now;
  const byIp = new Map<string, number>();
  const sockets = new Set<Socket>();
  /** Sockets still waiting for their first request head, with when they started waiting. */
  const waiting = new Map<Socket, number>();
  const sweep = setInterval(() => {
    const limit = now() - o.headersTimeoutMs;
    for (const [s, since] of waiting) {
      if (since > limit) continue;
      waiting.delete(s);
      s.destroy();
    }
  }, Math.max(50, Math.min(1000, o.headersTimeoutMs / 4)));
  sweep.unref();
  server.once('close', () => clearInterval(sweep));
  const headArrived = (req: IncomingMessage) => void waiting.delete(req.socket);
  server.on('request', headArrived);
  server.on('upgrade', headArrived);
  if (o.tls) server.on('secureConnection', (s: Socket) => void waiting.set(s, now()));

  server.on('connection', (socket: Socket) => {
    const ip = socket.remoteAddress ?? '';
    const n = byIp.get(ip) ?? 0;
    if (o.perIp > 0 && n >= o.perIp) {
      o.onRefuse?.();
      socket.destroy();
      return;
    }
    byIp.set(ip, n + 1);
    sockets.add(socket);
    if (!o.tls) waiting.set(socket, now());
    socket.once('close', () => {
      sockets.delete(socket);
      waiting.delete(socket);
      const left = (byIp.get(ip) ?? 1) - 1;
      if (left > 0) byIp.set(ip, left);
      else byIp.delete(ip);
    });
  });
  return {
    byIp,
    destroyAll() {
      for (const s of sockets) s.destroy();
    },
  };
}

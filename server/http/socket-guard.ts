/**
 * TCP-level guards, below HTTP: they hold whatever a connection carries (nothing at all, a
 * half-sent request, a WebSocket, an event stream).
 * - At most `perIp` open TCP connections per peer address (LIMIT_SOCKETS_PER_IP; 0: off). Past
 *   it a new connection is destroyed at once, before any byte is read, and counted. Behind a
 *   proxy every connection comes from the proxy: set the limit there, or 0 here.
 * - Every socket is tracked, so that shutdown can destroy what is left at its deadline.
 * The request-head and keep-alive timeouts are the server's own (serverFactory in tls.ts).
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface SocketGuardOptions {
  perIp: number;
  onRefuse?: () => void;
}

export interface SocketGuard {
  /** Open TCP connections by peer address. */
  readonly byIp: ReadonlyMap<string, number>;
  /** Destroys every connection still open (shutdown's deadline). */
  destroyAll(): void;
}

export function guardSockets(server: Server, o: SocketGuardOptions): SocketGuard {
  const byIp = new Map<string, number>();
  const sockets = new Set<Socket>();
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
    socket.once('close', () => {
      sockets.delete(socket);
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

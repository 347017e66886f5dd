/**
 * A TCP proxy in front of a server, for tests of what a client does when its network path
 * dies while the server lives on: `cut(ms)` destroys every connection and refuses new ones
 * for `ms` (each accepted socket is destroyed at once, as a dead path would answer).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class CutProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #refuseUntil = 0;
  /** The proxy's base URL (http://127.0.0.1:port). */
  url = '';

  private constructor(target: { host: string; port: number }) {
    this.#server = createServer((client) => {
      if (Date.now() < this.#refuseUntil) return void client.destroy();
      const upstream = connect(target.port, target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  /** A proxy on a free port of 127.0.0.1 to the server at `targetUrl` (http://host:port). */
  static async start(targetUrl: string): Promise<CutProxy> {
    const u = new URL(targetUrl);
    const p = new CutProxy({ host: u.hostname, port: Number(u.port) });
    await new Promise<void>((resolve) => p.#server.listen(0, '127.0.0.1', resolve));
    p.url = `http://127.0.0.1:${(p.#server.address() as { port: number }).port}`;
    return p;
  }

  /** Destroys every open connection and refuses new ones for `ms`. */
  cut(ms: number): void {
    this.#refuseUntil = Date.now() + ms;
    for (const s of [...this.#sockets]) s.destroy();
  }

  get connections(): number {
    return this.#sockets.size / 2;
  }

  close(): Promise<void> {
    for (const s of [...this.#sockets]) s.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

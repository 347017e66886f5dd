/**
 * A real redis-server for a test: started on a free port with no persistence, stopped (and
 * startable again on the same port, which is how tests restart Redis) by the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { until } from './wait.js';

export interface RedisProcess {
  port: number;
  url: string;
  /** Kills the server (SIGKILL: a crash, not a shutdown) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty, and waits until it answers PING. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves when a PING on 127.0.0.1:port is answered +PONG; rejects after timeoutMs. */
export async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  await until(`redis-server on port ${port} to answer PING`, () => new Promise<boolean>((resolve) => {
    const sock = createConnection({ port, host: '127.0.0.1' });
    sock.setTimeout(500, () => (sock.destroy(), resolve(false)));
    sock.once('error', () => resolve(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => (sock.destroy(), resolve(d.toString().startsWith('+PONG'))));
  }), timeoutMs);
}

/**
 * One redis-server process that can be started, killed (SIGKILL: a crash, waited for) and started
 * again with the same arguments (`more` added for that start); `start` resolves once it answers PING.
 * `onSpawn` sees every process started (for a set-up that stops them all at once).
 */
export function redisServer(port: number, args: string[], onSpawn?: (c: ChildProcess) => void): { start(more?: string[]): Promise<void>; kill(): Promise<void>; signal(sig: NodeJS.Signals): void; exited(): Promise<void> | undefined } {
  let child: ChildProcess | undefined;
  return {
    async start(more = []) {
      const c = spawn('redis-server', [...args, ...more], { stdio: 'ignore' });
      c.once('error', (e) => {
        throw new Error(`cannot start redis-server (is it installed?): ${e.message}`);
      });
      child = c;
      onSpawn?.(c);
      await waitForPing(port);
    },
    async kill() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    },
    signal: (sig) => void child?.kill(sig),
    /** Resolves when the running process exits (undefined when none runs); forgets it. */
    exited() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return undefined;
      return new Promise<void>((r) => c.once('exit', () => ((child = child === c ? undefined : child), r())));
    },
  };
}

/** The arguments of a test's redis-server: this port, loopback only, no persistence unless `more` says. */
export const redisArgs = (port: number, more: string[] = []) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...more];

export async function startRedis(port?: number): Promise<RedisProcess> {
  const p = port ?? (await freePort());
  const server = redisServer(p, redisArgs(p));
  await server.start();
  return { port: p, url: `redis://127.0.0.1:${p}`, kill: server.kill, restart: () => server.start(), stop: server.kill };
}

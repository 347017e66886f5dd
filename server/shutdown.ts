/**
 * Graceful shutdown. On SIGTERM or SIGINT: every session is told goodbye through its own
 * transport (WebSocket: close 1001 "going away"; SSE: the stream ends, and EventSource
 * reconnects elsewhere), then the node closes (Fastify stops accepting and answers 503 while
 * it closes) and the process exits 0. Connections still open at `timeoutMs` (a half-sent request,
 * an idle keep-alive socket, a peer that never completes the close) are destroyed then, and the
 * process still exits 0: a deploy is not a crash. Only a close that fails, or one that has not
 * finished `FORCE_GRACE_MS` after the connections were destroyed, exits 1; so does a second signal.
 */
import { CLOSE } from '../shared/protocol.js';
import type { Hub } from './fanout/hub.js';

export interface Closable {
  /** The client sessions; a feed node serves none. */
  hub?: Hub;
  /** The HTTP server, whose remaining connections are destroyed at the deadline. */
  app?: { server: { closeAllConnections?(): void }; sockets?: { destroyAll(): void } };
  close(): Promise<void>;
}

/** Closes every session with 1001, then the node. Resolves when the node has closed. */
export async function goAway(node: Closable): Promise<void> {
  const hub = node.hub;
  for (const s of hub ? [...hub.sessions] : []) {
    s.transport.close(CLOSE.goingAway, 'server shutting down');
    hub?.close(s);
  }
  await node.close();
}

/** After the deadline's destroy, how long the close may still take before exiting 1, ms. */
const FORCE_GRACE_MS = 1000;

export interface ShutdownOptions {
  /** Longest wait for connections to end by themselves, ms (default 4000); then they are destroyed. */
  timeoutMs?: number;
  log?: { info(msg: string): void; error(obj: unknown, msg: string): void };
  exit?: (code: number) => void;
}

/** Installs the SIGTERM/SIGINT handlers; returns a function that removes them. */
export function installShutdown(node: Closable, o: ShutdownOptions = {}): () => void {
  const exit = o.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) return exit(1);
    stopping = true;
    o.log?.info(`${sig}: shutting down`);
    setTimeout(() => {
      o.log?.info(`connections still open after ${o.timeoutMs ?? 4000} ms: destroying them`);
      node.app?.sockets?.destroyAll();
      node.app?.server.closeAllConnections?.();
      setTimeout(() => {
        o.log?.info(`shutdown still not done ${FORCE_GRACE_MS} ms after that: exiting 1`);
        exit(1);
      }, FORCE_GRACE_MS).unref();
    }, o.timeoutMs ?? 4000).unref();
    goAway(node).then(
      () => exit(0),
      (err) => {
        o.log?.error(err, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}

/**
 * More accepts per event-loop iteration on Node 20. Its libuv (1.46) accepts one connection each
 * time the listening socket polls readable, that is one per iteration: on a loop busy with 10 ms
 * iterations a 1,000-client reconnect takes 10 s to accept, and every new connection (a health
 * check's too) waits behind it in the kernel's queue. Node 22.12's `reusePort` is not here.
 *
 * So the listening socket is watched through `n - 1` more descriptors of its own: each poll
 * reports every descriptor readable, and each accepts one connection, `n` per iteration. A
 * process cannot duplicate a socket's descriptor from JavaScript, but one passed over an IPC
 * channel arrives as a new descriptor (SCM_RIGHTS): a short-lived child sends each handle straight
 * back and exits. What the extra descriptors accept is handed to the server as its own
 * 'connection' (the documented way to inject one), so every guard and listener sees it alike.
 * An idle socket costs nothing; each new connection wakes every descriptor, and `n - 1` accept()
 * calls find the queue empty (EAGAIN): about 4 us a descriptor here (scripts/bench/accept-cost.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** Sends every handle it is given straight back, then leaves once the last has gone. */
const ECHO = "process.on('message',(m,h)=>process.send(m,h,()=>{if(m.last)process.disconnect()}))";

/** How long the child may take to start and echo, ms; past it the server keeps its one handle. */
const ECHO_TIMEOUT_MS = 10_000;

export interface AcceptHandles {
  /** Extra descriptors listening now. */
  readonly count: number;
  /**
   * Stops them (the server's own handle closes with the server) and kills the child if it still
   * runs; resolves once the child is gone, since its copies keep the port open until then.
   */
  close(): Promise<void>;
}

/**
 * Adds `n - 1` descriptors to `server`'s listening socket (n <= 1: none), in the background: the
 * server accepts through its own handle meanwhile. `backlog` is passed again with each listen,
 * since listen() on a shared socket sets the queue length for all. `onError` hears why none were
 * added (the server works on, one accept per iteration).
 */
export function addAcceptHandles(server: net.Server, n: number, backlog: number, onError: (err: Error) => void = () => {}): AcceptHandles {
  const sides: net.Server[] = [];
  let child: ChildProcess | undefined;
  let gone: Promise<void> = Promise.resolve();
  let closed = false;
  const handle = (server as unknown as { _handle?: object })._handle; // what cluster sends its workers
  const stop = () => {
    clearTimeout(timer);
    if (child && child.exitCode === null && child.signalCode === null) child.kill();
    child = undefined;
  };
  const timer = setTimeout(() => {
    if (!child) return;
    stop();
    onError(new Error(`accept handles: no echo within ${ECHO_TIMEOUT_MS} ms`));
  }, ECHO_TIMEOUT_MS);
  timer.unref();
  if (n > 1 && handle && server.listening) {
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // a loader or preload of the parent's would only slow the echo down
    child = spawn(process.execPath, ['-e', ECHO], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], env });
    child.unref();
    const c = child;
    gone = new Promise((resolve) => {
      c.once('close', (code, signal) => {
        resolve();
        if (child !== c) return; // done, or stopped
        stop();
        onError(new Error(`accept handles: the echo child ended (${code ?? signal}) with ${sides.length} of ${n - 1} descriptors sent back`));
      });
      c.once('error', () => resolve()); // never started
    });
    child.on('error', (err) => {
      stop();
      onError(err);
    });
    child.on('message', (_m, dup: unknown) => {
      if (closed || !dup) return void (dup as { close?: () => void } | undefined)?.close?.();
      sides.push(listenOn(server, dup, backlog));
      if (sides.length === n - 1) stop();
    });
    for (let i = 1; i < n; i++) child.send({ last: i === n - 1 }, handle as net.Server);
  } else clearTimeout(timer);
  return {
    get count() {
      return sides.length;
    },
    close() {
      closed = true;
      stop();
      for (const s of sides.splice(0)) s.close();
      return gone;
    },
  };
}

/** A server on `dup` whose connections are `server`'s, accepted with the same socket options. */
function listenOn(server: net.Server, dup: unknown, backlog: number): net.Server {
  const o = server as unknown as { allowHalfOpen?: boolean; pauseOnConnect?: boolean; noDelay?: boolean; keepAlive?: boolean; keepAliveInitialDelay?: number };
  const side = net.createServer({
    allowHalfOpen: o.allowHalfOpen,
    pauseOnConnect: o.pauseOnConnect,
    noDelay: o.noDelay,
    keepAlive: o.keepAlive,
    keepAliveInitialDelay: o.keepAliveInitialDelay,
  });
  side.on('connection', (socket) => server.emit('connection', socket));
  side.on('error', () => side.close()); // its descriptor only: the server's own still accepts
  side.listen(dup as net.Server, backlog);
  return side;
}

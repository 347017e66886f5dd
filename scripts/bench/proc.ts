/**
 * Server processes for load runs: start one as a child (`node --import tsx <script>`, so the
 * child's pid is the server itself, not a wrapper), wait until it answers, read its CPU time
 * and RSS from /proc (after a full GC too: gcReader), stop it.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

let clkTck = 0;

// Children die with this process, even when it crashes or is interrupted.
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

/** User + system CPU seconds of a process (all its threads), from /proc/PID/stat. */
export function cpuSeconds(pid: number): number {
  if (!clkTck) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / clkTck; // fields 14 (utime) and 15 (stime)
}

/** Resident set size in bytes, from /proc/PID/status. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** A free TCP port on 127.0.0.1 (free when asked; the child binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerProc {
  url: string;
  pid: number;
  child: ChildProcess;
  /** The child's stderr so far (for error reports). */
  log(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  /** Listen on this port instead of a free one. */
  port?: number;
  script: string;
  env: Record<string, string>;
  nodeArgs?: string[];
  /** Path answering 200 once serving. */
  readyPath?: string;
  timeoutMs?: number;
}

/** Starts `script` with PORT set to a free port on 127.0.0.1 and waits until `readyPath` answers 200. */
export async function startServer(o: StartOptions): Promise<ServerProc> {
  const port = o.port ?? (await freePort());
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), '--import', 'tsx', o.script], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...o.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const proc: ServerProc = {
    url,
    pid: child.pid!,
    child,
    log: () => err,
    async stop(graceMs = 8000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${o.script} exited with ${child.exitCode}: ${err}`);
    try {
      const r = await fetch(url + (o.readyPath ?? '/healthz'));
      await r.arrayBuffer();
      if (r.ok) return proc;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`${o.script} did not answer within ${o.timeoutMs ?? 30_000} ms: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Node arguments that let `gcReader` read a child's memory after a full GC (gc-signal.mjs preloaded). */
export const GC_SIGNAL_ARGS = ['--expose-gc', '--import', resolve('scripts/bench/gc-signal.mjs')];

export interface AfterGc {
  rssMiB: number;
  heapMiB: number;
  externalMiB: number;
}

/**
 * Reads a child started with GC_SIGNAL_ARGS after a full GC: each call signals it (SIGUSR2) and
 * waits up to 120 s for its `gc-done` line. Listen before the first call (it returns the reader).
 */
export function gcReader(srv: ServerProc): () => Promise<AfterGc> {
  const lines: string[] = [];
  let buf = '';
  srv.child.stderr!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) if (buf.startsWith('gc-done ')) lines.push(buf.slice(0, i));
  });
  return async () => {
    const n = lines.length;
    process.kill(srv.pid, 'SIGUSR2');
    const deadline = Date.now() + 120_000;
    while (lines.length === n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const [, , heap, ext] = (lines[n] ?? 'gc-done NaN NaN NaN').split(' ').map(Number);
    return { rssMiB: rssBytes(srv.pid) / 2 ** 20, heapMiB: heap! / 2 ** 20, externalMiB: ext! / 2 ** 20 };
  };
}

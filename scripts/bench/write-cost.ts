/**
 * The physical limit of a flush: what one `socket.write` of a small buffer costs this process
 * on loopback (the write syscall, libuv and Node's stream machinery; no WebSocket framing, no
 * encoding). The reader is a child process that drains and discards, so its work is not
 * counted. Each write goes out at once (nothing corked, the kernel buffer kept from filling by
 * waiting for `drain`), one syscall each, as a session's flush does.
 * `tsx scripts/bench/write-cost.ts [--bytes 100] [--writes 200000] [--runs 3]`
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    bytes: { type: 'string', default: '100' },
    writes: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
  },
});
const bytes = Number(values.bytes);
const writes = Number(values.writes);

const READER = `
const s = require('node:net').createServer((c) => c.on('data', () => {}));
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
`;

async function run(port: number): Promise<{ usCpu: number; usWall: number }> {
  const sock = connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await once(sock, 'connect');
  const buf = Buffer.alloc(bytes, 0x61);
  // Warm-up: the JIT and the socket's buffers.
  for (let i = 0; i < 10_000; i++) if (!sock.write(buf)) await once(sock, 'drain');
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < writes; i++) if (!sock.write(buf)) await once(sock, 'drain');
  const c = process.cpuUsage(c0);
  const wall = performance.now() - w0;
  sock.end();
  return { usCpu: (c.user + c.system) / writes, usWall: (wall * 1000) / writes };
}

const reader = spawn(process.execPath, ['-e', READER], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = (await once(reader.stdout!, 'data')) as [Buffer];
const port = Number(line.toString().trim());
const cpu: number[] = [];
try {
  for (let i = 0; i < Number(values.runs); i++) {
    const r = await run(port);
    cpu.push(r.usCpu);
    console.log(`run ${i + 1}: ${r.usCpu.toFixed(2)} µs CPU / write, ${r.usWall.toFixed(2)} µs wall / write (${bytes} B, ${writes} writes)`);
  }
} finally {
  reader.kill();
}
const median = [...cpu].sort((a, b) => a - b)[cpu.length >> 1]!;
console.log(`median: ${median.toFixed(2)} µs CPU per ${bytes}-byte socket.write: at most ${Math.round(1e6 / median).toLocaleString('en-US')} writes per CPU-second`);

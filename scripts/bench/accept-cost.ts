/**
 * What a watching descriptor costs a connection (server/node/accept-handles.ts: 4 watch in calm,
 * up to ACCEPT_HANDLES in a burst): every new connection wakes each, and all but one find the
 * queue empty. Serial connections to a bare
 * `net` server that ends each at once, client in the same process; CPU (user + system) and wall
 * time per connection, for each count of descriptors, the median of `--runs` runs.
 * CLI: `tsx scripts/bench/accept-cost.ts [--handles 1,4,16,64,256] [--connections 3000] [--runs 3]`.
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import { addAcceptHandles } from '../../server/node/accept-handles.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function once(handles: number, connections: number): Promise<{ wallUs: number; cpuUs: number }> {
  const server = net.createServer((s) => void s.end('x'));
  await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
  const port = (server.address() as net.AddressInfo).port;
  // All watching from the start: the cost of each descriptor that watches (calm ones always do).
  const extra = addAcceptHandles(server, { calm: handles, most: handles, backlog: 4096 });
  while (extra.watching < handles - 1) await new Promise((r) => setTimeout(r, 20)); // start-up, not measured
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < connections; i++) {
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('data', () => {});
      s.on('close', () => resolve());
    });
  }
  const cpu = process.cpuUsage(cpu0);
  const wallUs = ((performance.now() - t0) * 1000) / connections;
  await extra.close();
  await new Promise((r) => server.close(r));
  return { wallUs, cpuUs: (cpu.user + cpu.system) / connections };
}

const { values: v } = parseArgs({ options: { handles: { type: 'string', default: '1,4,16,64,256' }, connections: { type: 'string', default: '3000' }, runs: { type: 'string', default: '3' } } });
console.log('| descriptors watching | wall per connection | CPU per connection (client and server) |\n|--:|--:|--:|');
for (const h of v.handles.split(',').map(Number)) {
  const rs = [];
  for (let i = 0; i < Number(v.runs); i++) rs.push(await once(h, Number(v.connections)));
  console.log(`| ${h} | ${median(rs.map((r) => r.wallUs)).toFixed(0)} us | ${median(rs.map((r) => r.cpuUs)).toFixed(0)} us |`);
}

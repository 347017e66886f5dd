/** Entry point: `npm start`. Configuration comes from the environment (see README). */
import { createNode } from './app.js';
import { loadConfig } from './config.js';

const config = loadConfig();
const node = await createNode(config);
const url = await node.start();
node.app.log.info(`Tickwire serving ${url} (dashboard), ${url.replace('http', 'ws')}/ws (WebSocket)`);

let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (stopping) process.exit(1);
    stopping = true;
    node.app.log.info(`${sig}: shutting down`);
    setTimeout(() => process.exit(1), 5000).unref();
    node.close().then(() => process.exit(0));
  });
}

/** Entry point: `npm start`. Configuration comes from the environment (see README). */
import { loadConfig } from './config.js';
import { createRoleNode } from './node/by-role.js';
import { installShutdown } from './shutdown.js';

const config = loadConfig();
const node = await createRoleNode(config); // ROLE: all (default), feed or gateway
const url = await node.start();
if (node.role === 'feed') node.app.log.info(`Tickwire feed publishing to ${config.redisUrl}; health on ${url}/healthz`);
else node.app.log.info(`Tickwire ${node.role === 'gateway' ? 'gateway ' : ''}serving ${url} (dashboard), ${url.replace('http', 'ws')}/ws (WebSocket)`);

// SIGTERM/SIGINT: clients get close 1001 (SSE streams end), then exit 0 (see server/shutdown.ts).
installShutdown(node, { log: node.app.log }); // a feed node has no clients: it just closes

/**
 * Entry point: `npm start`. Configuration comes from the environment (see README);
 * `--print-config` prints every setting with its value and source, and exits.
 */
import { ConfigError, formatSettings, loadConfig, readSettings } from './config.js';
import { describeTarget, redisTarget } from './redis/connection.js';
import { createRoleNode } from './node/by-role.js';
import { installShutdown } from './shutdown.js';

/** A bad setting stops the start with one clear line, no stack: the operator fixes it and starts again. */
function configError(err: unknown): never {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`tickwire: ${err.message}`);
  process.exit(2);
}

if (process.argv.includes('--print-config')) {
  try {
    console.log(formatSettings(readSettings()));
  } catch (err) {
    configError(err);
  }
  process.exit(0);
}
let config, node;
try {
  config = loadConfig();
  node = await createRoleNode(config); // ROLE: all (default), feed or gateway; reads key files
} catch (err) {
  configError(err);
}
const url = await node.start().catch((err: NodeJS.ErrnoException) => {
  if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES') throw err;
  configError(new ConfigError(`cannot listen on ${config.host}:${config.port} (${err.code === 'EADDRINUSE' ? 'in use' : 'not allowed'}): set PORT or HOST`));
});
if (node.role === 'feed') node.app.log.info(`Tickwire feed publishing to ${describeTarget(redisTarget(config))}; health on ${url}/healthz`);
else node.app.log.info(`Tickwire ${node.role === 'gateway' ? 'gateway ' : ''}serving ${url} (dashboard), ${url.replace('http', 'ws')}/ws (WebSocket)`);

// SIGTERM/SIGINT: clients get close 1001 (SSE streams end), then exit 0 (see server/shutdown.ts).
installShutdown(node, { log: node.app.log }); // a feed node has no clients: it just closes

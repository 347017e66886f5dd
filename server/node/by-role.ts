/**
 * Builds the node that `ROLE` names: `all` (all.ts, or replay-node.ts with FEED=replay: one
 * process, in-process bus, no Redis), `feed` or `gateway` (several processes over Redis). What
 * main.ts starts.
 */
import type { Config, Role } from '../config.js';
import type { FastifyInstance } from 'fastify';
import type { Hub } from '../fanout/hub.js';
import { createNode } from './all.js';
import { createFeedNode } from './feed.js';
import { createGatewayNode } from './gateway.js';
import { createReplayNode } from './replay-node.js';

/** What every role has. */
export interface RoleNode {
  readonly role: Role;
  app: FastifyInstance;
  /** The fan-out of client sessions (roles `all` and `gateway`; a feed serves no clients). */
  hub?: Hub;
  /** Listens; resolves to the base URL. */
  start(): Promise<string>;
  close(): Promise<void>;
}

export async function createRoleNode(config: Config): Promise<RoleNode> {
  if (config.role === 'feed') return createFeedNode(config);
  if (config.feed === 'replay' && config.role === 'all') return { role: 'all', ...(await createReplayNode(config)) };
  if (config.role === 'gateway') return createGatewayNode(config);
  return { role: 'all', ...(await createNode(config)) };
}

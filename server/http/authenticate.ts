/**
 * Where the access guard leaves who a request is: `request.principal`, set on an authenticated
 * request (server/auth/ makes it from a static token or a JWT); undefined on an open server.
 */
import type { Principal } from '../auth/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export type { Principal };

/**
 * The access guard's view of authentication: a token (or none) in, a principal or a refusal
 * out. Static AUTH_TOKENS are compared by digest in constant time and give full access with no
 * expiry; JWTs (server/auth/) give the rights their claims carry.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface Principal {
  /** Who: the JWT's `sub`; undefined for a static token. */
  sub?: string;
  /** When the token expires, ms since epoch; undefined: never. */
  expires?: number;
  /** Owner key for session binding (e.g. SSE control): a digest of the token. */
  owner: string;
}

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired' | 'not_yet_valid'; message: string };

export interface Authenticate {
  /** False when the server is open (no tokens configured): nothing is checked. */
  readonly enabled: boolean;
  check(token: string | undefined): Promise<AuthResult>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the access guard on an authenticated request; undefined on an open server. */
    principal?: Principal;
  }
}

export const tokenDigest = (token: string): Buffer => createHash('sha256').update(token).digest();

/** Static tokens (AUTH_TOKENS). */
export function staticTokens(tokens: readonly string[]): Authenticate {
  const digests = tokens.map(tokenDigest);
  return {
    enabled: digests.length > 0,
    async check(token) {
      if (!token) return { ok: false, reason: 'missing', message: 'a valid token is required: ?token= or Authorization: Bearer' };
      const d = tokenDigest(token);
      let ok = false;
      for (const x of digests) ok = timingSafeEqual(d, x) || ok;
      return ok
        ? { ok: true, principal: { owner: d.toString('base64url') } }
        : { ok: false, reason: 'invalid', message: 'a valid token is required: ?token= or Authorization: Bearer' };
    },
  };
}

/**
 * The Authenticator: turns the token a request or a `refresh` carries into a Principal.
 * - static tokens (AUTH_TOKENS): full rights, no expiry; compared in constant time;
 * - JWTs (AUTH_JWT_SECRET or AUTH_JWT_PUBLIC_KEY; see jwt.ts): `sub`, `exp` and the
 *   `symbols` / `channels` entitlements (entitlements.ts).
 * With neither configured the server is open: `enabled` is false and every call succeeds with
 * full rights. Failures carry a reason (for metrics and logs) and a message safe for clients.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FULL_RIGHTS, parseClaims, type Rights } from './entitlements.js';
import { CLOCK_LEEWAY_S, createJwtVerifier } from './jwt.js';
import { ConfigError } from '../config.js';

export interface Principal {
  /** Who (the JWT's `sub`); absent for static tokens and open servers. */
  sub?: string;
  /** When the token expires (its `exp`), ms since epoch; absent: never. */
  expires?: number;
  rights: Rights;
  /**
   * Who owns what this principal opens (an SSE session's control POSTs): `sub:<sub>` for a JWT
   * with a `sub` (it survives a refresh), else a digest of the token; absent on an open server.
   */
  owner?: string;
  /** Protocol 1.2 section 3: may control a replay (static tokens; a JWT with `"replay": true`). */
  replay?: boolean;
}

/** Why a token was refused; also the metric label `reason` (see docs/entitlements.md). */
export type AuthFailure = 'missing' | 'invalid' | 'expired' | 'not_yet_valid';

export type AuthResult = { ok: true; principal: Principal } | { ok: false; reason: AuthFailure; message: string };

export interface Authenticator {
  /** False on an open server (no static token, no JWT key). */
  readonly enabled: boolean;
  /** Clock skew tolerated on `exp` and `nbf`, ms: a connection is cut at `expires + leewayMs`. */
  readonly leewayMs: number;
  authenticate(token: string | undefined): Promise<AuthResult>;
}

export interface AuthenticatorOptions {
  /** Static tokens (AUTH_TOKENS). */
  tokens: readonly string[];
  /** HS256 secret (AUTH_JWT_SECRET). */
  jwtSecret?: string;
  /** PEM text of the RS256/ES256 public key (the contents of the AUTH_JWT_PUBLIC_KEY file). */
  jwtPublicKeyPem?: string;
  /** Clock, ms since epoch. */
  now?: () => number;
  leewayS?: number;
}

const OPEN: AuthResult = { ok: true, principal: { rights: FULL_RIGHTS } };
const digest = (token: string) => createHash('sha256').update(token).digest();
const ownerOf = (token: string) => digest(token).toString('base64url');

/** Throws (naming the setting) when a JWT key is unusable: call it once, at start. */
export function createAuthenticator(o: AuthenticatorOptions): Authenticator {
  const now = o.now ?? Date.now;
  const leewayS = o.leewayS ?? CLOCK_LEEWAY_S;
  const digests = o.tokens.map(digest);
  const jwt = createJwtVerifier({ secret: o.jwtSecret, publicKeyPem: o.jwtPublicKeyPem }, leewayS);
  const enabled = digests.length > 0 || jwt !== undefined;

  const isStatic = (token: string): boolean => {
    const d = digest(token);
    let hit = false;
    // Every digest is compared, so timing says nothing about which (or whether one) matched.
    for (const x of digests) hit = timingSafeEqual(d, x) || hit;
    return hit;
  };

  return {
    enabled,
    leewayMs: leewayS * 1000,
    async authenticate(token) {
      if (!enabled) return OPEN;
      if (token === undefined || token === '') return { ok: false, reason: 'missing', message: 'a token is required: ?token= or Authorization: Bearer' };
      if (digests.length && isStatic(token)) return { ok: true, principal: { rights: FULL_RIGHTS, owner: ownerOf(token), replay: true } };
      if (!jwt) return { ok: false, reason: 'invalid', message: 'invalid token' };
      const r = await jwt.verify(token, now());
      if (!r.ok) return r;
      const claims = parseClaims(r.claims);
      if (!claims.ok) return { ok: false, reason: 'invalid', message: claims.message };
      const principal: Principal = {
        ...(claims.sub !== undefined ? { sub: claims.sub } : {}),
        expires: r.claims.exp * 1000,
        rights: claims.rights,
        owner: claims.sub !== undefined ? `sub:${claims.sub}` : ownerOf(token),
        ...((r.claims as Record<string, unknown>).replay === true ? { replay: true } : {}),
      };
      return { ok: true, principal };
    },
  };
}

/** Reads the AUTH_JWT_PUBLIC_KEY file once, with an error naming the setting and the path. */
export function readPublicKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`AUTH_JWT_PUBLIC_KEY: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The Authenticator for a loaded Config (AUTH_TOKENS, AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY). */
export function authenticatorFromConfig(c: { authTokens: readonly string[]; authJwtSecret?: string; authJwtPublicKey?: string }, now?: () => number): Authenticator {
  return createAuthenticator({
    tokens: c.authTokens,
    jwtSecret: c.authJwtSecret,
    jwtPublicKeyPem: c.authJwtPublicKey === undefined ? undefined : readPublicKeyFile(c.authJwtPublicKey),
    now,
  });
}

/**
 * The token a request carries: a non-empty `token` query parameter (a string: a repeated one
 * counts as none), else `Authorization: Bearer <token>`.
 */
export function requestToken(query: unknown, authorization: string | undefined): string | undefined {
  const q = typeof query === 'object' && query !== null && Object.hasOwn(query, 'token') ? (query as { token: unknown }).token : undefined;
  if (typeof q === 'string' && q) return q;
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}

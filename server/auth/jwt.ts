/**
 * JWT verification with `jose`. Each configured key pins its one algorithm: the HS256 secret
 * (AUTH_JWT_SECRET) verifies only HS256, an RSA public key only RS256, an EC P-256 key only
 * ES256; `alg: none`, other algorithms and a public key used as an HMAC secret are refused
 * before any key is tried. `exp` is required and `nbf` honoured, both with CLOCK_LEEWAY_S.
 * Keys are imported once, when the verifier is made; a bad key throws there, naming the setting.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { jwtVerify, type JWTPayload } from 'jose';
import { ConfigError } from '../config.js';

/** Clock skew tolerated between the token's issuer and this server, seconds. */
export const CLOCK_LEEWAY_S = 30;
/** Longer tokens are refused unparsed (a token rides in a URL or a header). */
export const MAX_TOKEN_LENGTH = 8192;
/** RFC 7518 3.2: an HS256 key must be at least as long as the hash, 256 bits. */
const MIN_SECRET_BYTES = 32;

export interface JwtKeys {
  /** HS256 shared secret. */
  secret?: string;
  /** PEM text of an RSA (RS256) or EC P-256 (ES256) public key, or of a certificate holding one. */
  publicKeyPem?: string;
}

export type JwtFailure = 'invalid' | 'expired' | 'not_yet_valid';
export type JwtOutcome = { ok: true; claims: JWTPayload & { exp: number } } | { ok: false; reason: JwtFailure; message: string };

export interface JwtVerifier {
  /** The algorithms accepted, one per configured key. */
  readonly algorithms: readonly string[];
  /** Verifies signature and time claims at `nowMs`. Never throws; messages are safe to send to clients. */
  verify(token: string, nowMs: number): Promise<JwtOutcome>;
}

/** Undefined when no key is configured. Throws a message naming the setting for a bad key. */
export function createJwtVerifier(keys: JwtKeys, leewayS = CLOCK_LEEWAY_S): JwtVerifier | undefined {
  const byAlg = new Map<string, KeyObject | Uint8Array>();
  if (keys.secret !== undefined) byAlg.set('HS256', secretKey(keys.secret));
  if (keys.publicKeyPem !== undefined) {
    const [alg, key] = publicKey(keys.publicKeyPem);
    byAlg.set(alg, key);
  }
  if (byAlg.size === 0) return undefined;
  const algorithms = [...byAlg.keys()];
  // jose checks the header's alg against `algorithms` before it asks for the key.
  const keyFor = (header: { alg?: string }) => byAlg.get(header.alg ?? '') ?? new Uint8Array(0);

  return {
    algorithms,
    async verify(token, nowMs) {
      if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'invalid', message: 'token too long' };
      try {
        const { payload } = await jwtVerify(token, keyFor, {
          algorithms,
          clockTolerance: leewayS,
          currentDate: new Date(nowMs),
          requiredClaims: ['exp'],
        });
        return { ok: true, claims: payload as JWTPayload & { exp: number } };
      } catch (err) {
        return failure(err);
      }
    },
  };
}

function secretKey(secret: string): Uint8Array {
  const bytes = new TextEncoder().encode(secret);
  if (bytes.length < MIN_SECRET_BYTES) throw new ConfigError(`AUTH_JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes long (HS256 needs a 256-bit key)`);
  return bytes;
}

function publicKey(pem: string): [alg: 'RS256' | 'ES256', key: KeyObject] {
  if (/PRIVATE KEY-----/.test(pem)) throw new ConfigError('AUTH_JWT_PUBLIC_KEY holds a private key: give the server the public key only');
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new ConfigError('AUTH_JWT_PUBLIC_KEY is not a PEM public key or certificate');
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) throw new ConfigError(`AUTH_JWT_PUBLIC_KEY: an RSA key must have at least 2048 bits, this one has ${bits}`);
    return ['RS256', key];
  }
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return ['ES256', key];
  const kind = key.asymmetricKeyType === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve}` : key.asymmetricKeyType;
  throw new ConfigError(`AUTH_JWT_PUBLIC_KEY: expected an RSA (RS256) or EC P-256 (ES256) key, got ${kind}`);
}

/** jose's error, as a reason and a fixed message (jose's own text stays in the server). */
function failure(err: unknown): JwtOutcome {
  const e = err as { code?: string; claim?: string; reason?: string };
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      return { ok: false, reason: 'expired', message: 'token expired' };
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (e.claim === 'nbf' && e.reason === 'check_failed') return { ok: false, reason: 'not_yet_valid', message: 'token not valid yet (nbf)' };
      if (e.reason === 'missing') return { ok: false, reason: 'invalid', message: `token lacks the \`${e.claim}\` claim` };
      return { ok: false, reason: 'invalid', message: `token claim \`${e.claim}\` is invalid` };
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return { ok: false, reason: 'invalid', message: 'token signature does not verify' };
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return { ok: false, reason: 'invalid', message: 'token algorithm not accepted' };
    default:
      return { ok: false, reason: 'invalid', message: 'token is not a valid JWT' };
  }
}

/** Mints test JWTs the way an operator would (jose, HS256 with the server's AUTH_JWT_SECRET). */
import { SignJWT, type JWTPayload } from 'jose';

export const TEST_JWT_SECRET = 'tickwire-test-secret-0123456789abcdef';

/** A token with `claims`, expiring `expInS` seconds from now (negative: already expired). */
export function mintToken(claims: JWTPayload & { symbols?: string[]; channels?: string[] }, o: { expInS?: number; secret?: string; nowMs?: number } = {}): Promise<string> {
  const now = Math.floor((o.nowMs ?? Date.now()) / 1000);
  return new SignJWT({ exp: now + (o.expInS ?? 600), ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .sign(new TextEncoder().encode(o.secret ?? TEST_JWT_SECRET));
}

import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { CLOCK_LEEWAY_S, createJwtVerifier } from '../../server/auth/jwt.js';

const SECRET = 'a-test-secret-that-is-32-bytes-long!!';
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const sec = (ms: number) => Math.floor(ms / 1000);
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (k: typeof rsa) => k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

const hs = (claims: JWTPayload, key: string | Uint8Array = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(typeof key === 'string' ? new TextEncoder().encode(key) : key);
const exp = { exp: sec(NOW) + 600 };

describe('JWT verification', () => {
  const v = createJwtVerifier({ secret: SECRET })!;

  it('accepts a good HS256 token and returns its claims', async () => {
    const r = await v.verify(await hs({ sub: 'ann', ...exp, symbols: ['AAPL'] }), NOW);
    expect(r).toEqual({ ok: true, claims: { sub: 'ann', exp: exp.exp, symbols: ['AAPL'] } });
    expect(v.algorithms).toEqual(['HS256']);
  });

  it('refuses a token signed with another secret', async () => {
    const r = await v.verify(await hs(exp, 'another-secret-that-is-32-bytes-long'), NOW);
    expect(r).toEqual({ ok: false, reason: 'invalid', message: 'token signature does not verify' });
  });

  it('refuses a tampered payload', async () => {
    const [h, , s] = (await hs({ ...exp, symbols: ['AAPL'] })).split('.');
    const r = await v.verify(`${h}.${b64({ ...exp, symbols: ['*'] })}.${s}`, NOW);
    expect(r).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('refuses alg none, with or without a signature', async () => {
    for (const t of [`${b64({ alg: 'none' })}.${b64(exp)}.`, `${b64({ alg: 'none', typ: 'JWT' })}.${b64(exp)}.AAAA`]) {
      expect(await v.verify(t, NOW)).toMatchObject({ ok: false, reason: 'invalid' });
    }
  });

  it('refuses an HS256 token whose secret is the RS256 public key (algorithm confusion)', async () => {
    const rv = createJwtVerifier({ publicKeyPem: pem(rsa) })!;
    expect(rv.algorithms).toEqual(['RS256']);
    const forged = await hs({ sub: 'mallory', ...exp }, new TextEncoder().encode(pem(rsa)));
    expect(await rv.verify(forged, NOW)).toEqual({ ok: false, reason: 'invalid', message: 'token algorithm not accepted' });
  });

  it('accepts RS256 and ES256 tokens with their public keys, and only with their own algorithm', async () => {
    const rs = await new SignJWT({ sub: 'r', ...exp }).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey);
    const es = await new SignJWT({ sub: 'e', ...exp }).setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey);
    const rv = createJwtVerifier({ publicKeyPem: pem(rsa) })!;
    const ev = createJwtVerifier({ publicKeyPem: pem(ec) })!;
    expect(await rv.verify(rs, NOW)).toMatchObject({ ok: true, claims: { sub: 'r' } });
    expect(await ev.verify(es, NOW)).toMatchObject({ ok: true, claims: { sub: 'e' } });
    expect(ev.algorithms).toEqual(['ES256']);
    expect(await rv.verify(es, NOW)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await ev.verify(rs, NOW)).toMatchObject({ ok: false, reason: 'invalid' });
    // PS256 is RSA too, but not the algorithm pinned for the key.
    const ps = await new SignJWT(exp).setProtectedHeader({ alg: 'PS256' }).sign(rsa.privateKey);
    expect(await rv.verify(ps, NOW)).toMatchObject({ ok: false, reason: 'invalid', message: 'token algorithm not accepted' });
  });

  it('with a secret and a public key, each verifies its own algorithm', async () => {
    const both = createJwtVerifier({ secret: SECRET, publicKeyPem: pem(ec) })!;
    expect(both.algorithms).toEqual(['HS256', 'ES256']);
    expect((await both.verify(await hs(exp), NOW)).ok).toBe(true);
    expect((await both.verify(await new SignJWT(exp).setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey), NOW)).ok).toBe(true);
    expect((await both.verify(await hs(exp, new TextEncoder().encode(pem(ec))), NOW)).ok).toBe(false);
  });

  it('refuses an expired token past the leeway, accepts one within it', async () => {
    const t = await hs({ exp: sec(NOW) - 5 });
    expect((await v.verify(t, NOW)).ok).toBe(true);
    expect(await v.verify(t, NOW + CLOCK_LEEWAY_S * 1000)).toEqual({ ok: false, reason: 'expired', message: 'token expired' });
  });

  it('refuses a token whose nbf is in the future past the leeway', async () => {
    const t = await hs({ ...exp, nbf: sec(NOW) + 120 });
    expect(await v.verify(t, NOW)).toEqual({ ok: false, reason: 'not_yet_valid', message: 'token not valid yet (nbf)' });
    expect((await v.verify(t, NOW + 100_000)).ok).toBe(true);
  });

  it('refuses a token without exp, or with a non-numeric exp', async () => {
    expect(await v.verify(await hs({ sub: 'forever' }), NOW)).toEqual({ ok: false, reason: 'invalid', message: 'token lacks the `exp` claim' });
    const [h] = (await hs(exp)).split('.');
    expect(await v.verify(`${h}.${b64({ exp: 'soon' })}.x`, NOW)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('refuses garbage and overlong tokens without throwing', async () => {
    for (const t of ['', 'abc', 'a.b.c', '...', 'e30.e30.', '\u0000', 'x'.repeat(9000), `${b64({ alg: 'HS256' })}.!!!.???`]) {
      const r = await v.verify(t, NOW);
      expect(r.ok, t.slice(0, 20)).toBe(false);
      expect(r).toMatchObject({ reason: 'invalid' });
    }
  });

  it('throws at creation, naming the setting, for unusable keys', () => {
    expect(() => createJwtVerifier({ secret: 'short' })).toThrow(/AUTH_JWT_SECRET must be at least 32 bytes/);
    expect(() => createJwtVerifier({ publicKeyPem: 'not a pem' })).toThrow(/AUTH_JWT_PUBLIC_KEY is not a PEM public key/);
    const priv = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => createJwtVerifier({ publicKeyPem: priv })).toThrow(/holds a private key/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => createJwtVerifier({ publicKeyPem: p384 })).toThrow(/expected an RSA \(RS256\) or EC P-256 \(ES256\) key, got EC secp384r1/);
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => createJwtVerifier({ publicKeyPem: ed })).toThrow(/got ed25519/);
    expect(createJwtVerifier({})).toBeUndefined();
  });
});

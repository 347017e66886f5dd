/**
 * The origin rule (pure). With ALLOWED_ORIGINS set, a browser's `Origin` passes only when it is
 * listed (scheme, host and port compared exactly, after URL normalisation: lower-case host,
 * default port dropped), or when it is a loopback origin (`localhost`, `127.0.0.1`, `[::1]`)
 * on this server's own port and scheme, so that a dashboard opened locally keeps working. The
 * `Host` header decides nothing: it is the attacker's to choose (DNS rebinding).
 */

/** `scheme://host[:port]` in URL's canonical form, or undefined for anything that is not one. */
export function canonicalOrigin(raw: string): string | undefined {
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    if (u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface OriginRule {
  /** Canonical listed origins; empty: every origin passes. */
  readonly listed: ReadonlySet<string>;
  /** Whether this origin may use the API, given the port and scheme the request came in on. */
  allows(origin: string, local: { port: number; tls: boolean }): boolean;
}

/** Throws on a listed entry that is not an origin, so a typo in ALLOWED_ORIGINS stops the start. */
export function originRule(allowed: readonly string[]): OriginRule {
  const listed = new Set<string>();
  for (const a of allowed) {
    const c = canonicalOrigin(a.replace(/\/+$/, ''));
    if (!c) throw new Error(`ALLOWED_ORIGINS: ${JSON.stringify(a)} is not an origin (scheme://host[:port])`);
    listed.add(c);
  }
  return {
    listed,
    allows(origin, local) {
      if (listed.size === 0) return true;
      const c = canonicalOrigin(origin);
      if (!c) return false;
      if (listed.has(c)) return true;
      const u = new URL(c);
      const scheme = local.tls ? 'https:' : 'http:';
      const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
      return LOOPBACK.has(u.hostname) && u.protocol === scheme && port === local.port;
    },
  };
}

/**
 * TLS: with TLS_CERT and TLS_KEY (PEM file paths) the one port serves https and wss. Given to
 * Fastify as a serverFactory, so the instance keeps its plain type (an https.Server is used
 * where Fastify expects an http.Server: both speak the same request/upgrade events).
 */
import type { FastifyServerFactory, FastifyServerOptions } from 'fastify';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:https';

/** The server factory for TLS, or undefined when neither file is set. Throws when only one is, or a file is unreadable. */
export function tlsServerFactory(certPath?: string, keyPath?: string): FastifyServerFactory | undefined {
  if (!certPath && !keyPath) return undefined;
  if (!certPath || !keyPath) throw new Error('TLS needs both TLS_CERT and TLS_KEY (PEM file paths)');
  const cert = readFileSync(certPath);
  const key = readFileSync(keyPath);
  return (handler, opts: FastifyServerOptions) => {
    const server = createServer({ cert, key }, handler);
    // What Fastify sets on a server it creates itself, which it skips for a factory's.
    if (opts.keepAliveTimeout !== undefined) server.keepAliveTimeout = opts.keepAliveTimeout;
    if (opts.requestTimeout !== undefined) server.requestTimeout = opts.requestTimeout;
    if (opts.connectionTimeout !== undefined) server.setTimeout(opts.connectionTimeout);
    return server as unknown as Server;
  };
}

/**
 * The HTTP server Fastify runs on, made here (as its serverFactory) so that the timeouts that
 * protect it are set at construction, where Node reads them:
 * - a connection must send a complete request head within `headersTimeoutMs`
 *   (HEADERS_TIMEOUT_MS), checked every second (Node's default check runs every 30 s, which let
 *   idle sockets live for over a minute); the whole request (head and body) within
 *   `headersTimeoutMs` + 20 s;
 * - a keep-alive connection idle between requests is closed after `keepAliveMs`.
 * With TLS_CERT and TLS_KEY (PEM file paths) the one port serves https and wss; an https.Server
 * is used where Fastify expects an http.Server: both speak the same request/upgrade events.
 */
import type { FastifyServerFactory } from 'fastify';
import { readFileSync } from 'node:fs';
import { createServer as createHttp, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { ConfigError } from './config.js';

export interface ServerFactoryOptions {
  certPath?: string;
  keyPath?: string;
  headersTimeoutMs: number;
  keepAliveMs: number;
}

/** Throws when only one of the TLS files is set, or a file is unreadable. */
export function serverFactory(o: ServerFactoryOptions): { factory: FastifyServerFactory; tls: boolean } {
  if (!!o.certPath !== !!o.keyPath) throw new ConfigError('TLS needs both TLS_CERT and TLS_KEY (PEM file paths)');
  const tls = o.certPath && o.keyPath ? { cert: readFileSync(o.certPath), key: readFileSync(o.keyPath) } : undefined;
  const options: ServerOptions = {
    headersTimeout: o.headersTimeoutMs,
    requestTimeout: o.headersTimeoutMs + 20_000,
    connectionsCheckingInterval: Math.min(1000, o.headersTimeoutMs),
    keepAliveTimeout: o.keepAliveMs,
  };
  const factory: FastifyServerFactory = (handler) => {
    const server = tls ? (createHttps({ ...options, ...tls, handshakeTimeout: o.headersTimeoutMs }, handler) as unknown as Server) : createHttp(options, handler);
    server.keepAliveTimeout = o.keepAliveMs;
    return server;
  };
  return { factory, tls: !!tls };
}

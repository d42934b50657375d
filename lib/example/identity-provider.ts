/**
 * The local "identity provider" the example `register-user` handler calls: a small HTTP
 * server on a loopback address with latency and failure injection.
 *
 * `POST /users` with `{ id, email, name }` → 201 created, 409 when the id exists, 400 for
 * an invalid body or a rejected input (permanent), 503 with `Retry-After` at the
 * configured rate (transient). `GET /users/:id` → 200 or 404. `GET /healthz` → 200.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

/** A user as the provider stores it. */
export interface IdentityUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
}

/** Options of {@link startIdentityProvider}. */
export interface IdentityProviderOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Loopback address to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Delay before each answer, in milliseconds. @default 0 */
  readonly latencyMs?: number;
  /** Share of `POST /users` answered 503 (transient), 0..1. @default 0 */
  readonly transientFailureRate?: number;
  /**
   * Inputs answered 400 (permanent).
   * @default - emails ending in `@reject.invalid`
   */
  readonly rejects?: (user: IdentityUser) => boolean;
  /** Random source in [0, 1) for failure injection. @default Math.random */
  readonly random?: () => number;
}

/** Request counts of the provider. */
export interface IdentityProviderStats {
  requests: number;
  created: number;
  conflicts: number;
  transientFailures: number;
  rejected: number;
  invalid: number;
}

/** A running identity provider. */
export interface IdentityProvider {
  /** Base URL, e.g. `http://127.0.0.1:41235` (the handler's `IDENTITY_API_URL`). */
  readonly url: string;
  readonly stats: Readonly<IdentityProviderStats>;
  /** Users created so far, by id. */
  readonly users: ReadonlyMap<string, IdentityUser>;
  stop(): Promise<void>;
}

/** The default permanent-failure rule: emails in the reserved `reject.invalid` domain. */
export const rejectsInvalidDomain = (user: IdentityUser): boolean => user.email.endsWith('@reject.invalid');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseUser(text: string): IdentityUser | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null) return undefined;
    const { id, email, name } = v as Record<string, unknown>;
    if (typeof id !== 'string' || id === '' || typeof email !== 'string' || typeof name !== 'string') return undefined;
    return { id, email, name };
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Starts the identity provider on a loopback address.
 *
 * @throws Error when `host` is not a loopback address or the rate is outside 0..1.
 * @example
 * const idp = await startIdentityProvider({ latencyMs: 5, transientFailureRate: 0.05 });
 * // IDENTITY_API_URL = idp.url
 * await idp.stop();
 */
export async function startIdentityProvider(options: IdentityProviderOptions = {}): Promise<IdentityProvider> {
  const host = options.host ?? '127.0.0.1';
  const rate = options.transientFailureRate ?? 0;
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (!loopback) throw new Error(`Identity provider host must be a loopback address; received '${host}'.`);
  if (!(rate >= 0 && rate <= 1)) throw new Error(`transientFailureRate must be within 0..1; received ${String(rate)}.`);
  const latency = options.latencyMs ?? 0;
  const rejects = options.rejects ?? rejectsInvalidDomain;
  const random = options.random ?? Math.random;
  const users = new Map<string, IdentityUser>();
  const stats: IdentityProviderStats = { requests: 0, created: 0, conflicts: 0, transientFailures: 0, rejected: 0, invalid: 0 };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    stats.requests += 1;
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const text = req.method === 'POST' ? await readBody(req) : '';
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, { status: 'ok' });
    const match = /^\/users\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && match) {
      const user = users.get(decodeURIComponent(match[1] ?? ''));
      return user ? send(res, 200, user) : send(res, 404, { error: 'not found' });
    }
    if (req.method !== 'POST' || path !== '/users') return send(res, 404, { error: 'not found' });
    const user = parseUser(text);
    if (user === undefined) {
      stats.invalid += 1;
      return send(res, 400, { error: 'body must be { id, email, name }' });
    }
    if (rate > 0 && random() < rate) {
      stats.transientFailures += 1;
      return send(res, 503, { error: 'temporarily unavailable' }, { 'retry-after': '1' });
    }
    if (rejects(user)) {
      stats.rejected += 1;
      return send(res, 400, { error: 'user rejected' });
    }
    if (users.has(user.id)) {
      stats.conflicts += 1;
      return send(res, 409, { error: 'user exists' });
    }
    users.set(user.id, user);
    stats.created += 1;
    return send(res, 201, user);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => { if (!res.headersSent) send(res, 500, { error: 'internal error' }); else res.end(); });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Identity provider did not report a TCP address.');
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    stats,
    users,
    stop(): Promise<void> {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

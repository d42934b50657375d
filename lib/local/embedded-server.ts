/**
 * The embedded SNS/SQS server: fauxqs started in-process on a loopback address.
 *
 * fauxqs' own `startFauxqs` always listens on `0.0.0.0`; Sluice builds the fauxqs app
 * and listens on 127.0.0.1 itself, so nothing outside the machine can reach it.
 */
import { buildApp } from 'fauxqs';
import { assertLoopbackUrl, clientConfig } from '../sqs/index.ts';
import type { ClientConfig } from '../sqs/index.ts';
import { LocalRuntimeError } from './errors.ts';
import { baseUrlOf, checkListenAddress } from './listen-address.ts';

/** Account id fauxqs puts in every queue and topic ARN and queue URL. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** Region of the embedded server when none is given. */
export const LOCAL_REGION = 'us-east-1';


/** Options of {@link startEmbeddedServer}. */
export interface EmbeddedServerOptions {
  /**
   * TCP port to listen on.
   * @default 0 (a free port chosen by the OS)
   */
  readonly port?: number;
  /**
   * Loopback address to listen on (`127.0.0.0/8`, `::1` or `localhost`).
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * Region of the ARNs and of the SDK clients.
   * @default 'us-east-1'
   */
  readonly region?: string;
}

/** A running embedded SNS/SQS server. */
export interface EmbeddedServer {
  /** Base URL for any SQS or SNS client, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  /** Region the server's ARNs use; sign requests with it. */
  readonly region: string;
  /** The port actually bound. */
  readonly port: number;
  /** Closes the server and its open connections; resolves when it is closed. */
  stop(): Promise<void>;
}

/** Settings for `@aws-sdk/client-sqs` / `@aws-sdk/client-sns` clients of a local server. */
export type LocalClientConfig = ClientConfig;

/**
 * Starts fauxqs in this process on a loopback address, with request logging off.
 *
 * @param opts - port (default 0 = free port) and loopback host (default 127.0.0.1).
 * @returns the endpoint, region and port, and `stop()`.
 * @throws Error when `host` is not a loopback address or the port cannot be bound.
 * @example
 * const server = await startEmbeddedServer();
 * const sqs = new SQSClient(localClientConfig(server));
 * // ...
 * await server.stop();
 */
export async function startEmbeddedServer(opts: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  const region = opts.region ?? LOCAL_REGION;
  checkListenAddress('Embedded server', host, port);
  const app = buildApp({ logger: false, defaultRegion: region });
  await app.listen({ port, host });
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    await app.close();
    throw new LocalRuntimeError('Embedded server did not report a TCP address.');
  }
  let stopped: Promise<void> | undefined;
  return {
    endpoint: baseUrlOf(address),
    region,
    port: address.port,
    stop(): Promise<void> {
      stopped ??= app.close().then(() => undefined);
      return stopped;
    },
  };
}

/**
 * SDK client settings for a local server: its endpoint and region, dummy credentials.
 *
 * @param server - the endpoint and region of an {@link EmbeddedServer}.
 * @throws Error when the endpoint is not on a loopback address (Sluice never sends local traffic elsewhere).
 */
export function localClientConfig(server: Pick<EmbeddedServer, 'endpoint' | 'region'>): LocalClientConfig {
  assertLoopbackUrl(server.endpoint);
  return clientConfig(server.region, server.endpoint, true);
}


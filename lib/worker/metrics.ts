/**
 * Prometheus metrics of the worker (prom-client, one registry per worker) and the small
 * HTTP server that serves them on `/metrics`, with `/healthz` for container probes.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Health as `/healthz` reports it: 200 for `ok`, 503 otherwise. */
export type WorkerHealth = 'starting' | 'ok' | 'degraded' | 'draining' | 'stopped';

/** What the worker records: the meters of {@link WorkerMetrics}, or {@link NO_METERS}. */
export interface WorkerMeters {
  readonly received: Pick<Counter, 'inc'>;
  readonly succeeded: Pick<Counter, 'inc'>;
  readonly failed: Pick<Counter, 'inc'>;
  readonly deleteErrors: Pick<Counter, 'inc'>;
  readonly visibilityExtensions: Pick<Counter, 'inc'>;
  readonly receives: Pick<Counter<'result'>, 'inc'>;
  readonly inFlight: Pick<Gauge, 'inc' | 'dec'>;
  readonly pollers: Pick<Gauge, 'set'>;
  readonly handlerDuration: Pick<Histogram, 'observe'>;
}

const noop = (): void => {};
const NO_METER = Object.freeze({ inc: noop, dec: noop, set: noop, observe: noop });

/**
 * Meters that record nothing, for a worker without a metrics server: nothing could read
 * them, and a prom-client registry with its default metrics (a GC observer, an event loop
 * delay monitor) costs CPU on every message.
 */
export const NO_METERS: WorkerMeters = Object.freeze({
  received: NO_METER, succeeded: NO_METER, failed: NO_METER, deleteErrors: NO_METER, visibilityExtensions: NO_METER,
  receives: NO_METER, inFlight: NO_METER, pollers: NO_METER, handlerDuration: NO_METER,
});

/** The worker's metrics, registered in their own registry. */
export class WorkerMetrics implements WorkerMeters {
  readonly registry = new Registry();
  readonly received: Counter;
  readonly succeeded: Counter;
  readonly failed: Counter;
  readonly deleteErrors: Counter;
  readonly visibilityExtensions: Counter;
  readonly receives: Counter<'result'>;
  readonly inFlight: Gauge;
  readonly pollers: Gauge;
  readonly handlerDuration: Histogram;

  /** @param queueName - the `queue` label of every metric */
  constructor(queueName: string) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ queue: queueName });
    const counter = (name: string, help: string): Counter => new Counter({ name, help, registers });
    this.received = counter('sluice_worker_messages_received_total', 'Messages received from the queue.');
    this.succeeded = counter('sluice_worker_messages_succeeded_total', 'Messages processed successfully (then deleted).');
    this.failed = counter('sluice_worker_messages_failed_total', 'Messages that did not succeed (left for a retry).');
    this.deleteErrors = counter('sluice_worker_delete_errors_total', 'Successful messages whose delete failed after one retry.');
    this.visibilityExtensions = counter(
      'sluice_worker_visibility_extensions_total',
      'Visibility timeouts renewed, per message: while its handler runs, or once it succeeded until its delete returned.',
    );
    this.receives = new Counter({
      name: 'sluice_worker_receives_total',
      help: 'ReceiveMessage calls by result: empty, partial, full or error.',
      labelNames: ['result'],
      registers,
    });
    this.inFlight = new Gauge({ name: 'sluice_worker_messages_in_flight', help: 'Messages received and not yet settled.', registers });
    this.pollers = new Gauge({ name: 'sluice_worker_pollers', help: 'Pollers running.', registers });
    this.handlerDuration = new Histogram({
      name: 'sluice_worker_handler_duration_seconds',
      help: 'Time to process one message (Sluice handlers), or one invocation (plain Lambda handlers).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }
}

/** A running metrics server. */
export interface MetricsServer {
  /** Base URL, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format) and `GET /healthz` (JSON; 200 when the
 * health is `ok`, 503 otherwise).
 *
 * @param health - read on every probe
 */
export async function startMetricsServer(
  metrics: WorkerMetrics,
  health: () => WorkerHealth,
  port: number,
  host: string,
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (path === '/healthz') {
      const status = health();
      res.writeHead(status === 'ok' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: try /metrics or /healthz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

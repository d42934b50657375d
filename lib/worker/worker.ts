/**
 * The long-polling worker (README "Worker and CLI"): runs a Sluice handler against an SQS queue
 * outside Lambda, with scaling pollers, bounded concurrency, visibility heartbeats,
 * Prometheus metrics and a graceful drain.
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { createJsonLogger } from '../../lambda/runtime/index.ts';
import type { SluiceLogger } from '../../lambda/runtime/index.ts';
import { PollerScaler, Slots, MAX_RECEIVE } from './poller-scaler.ts';
import { VisibilityHeartbeat } from './visibility-heartbeat.ts';
import { runWorkerBatch } from './batch.ts';
import type { BatchEnvironment, WorkerCounts } from './batch.ts';
import { WorkerLoop } from './loop.ts';
import { NO_METERS, WorkerMetrics, startMetricsServer } from './metrics.ts';
import type { MetricsServer, WorkerHealth, WorkerMeters } from './metrics.ts';
import { resolveWorkerOptions } from './options.ts';
import type { ResolvedWorkerOptions, WorkerOptions } from './options.ts';
import { createSqsClient, readQueueInfo, receiveMessages, releaseMessages } from '../sqs/index.ts';
import type { QueueInfo } from '../sqs/index.ts';

export type { WorkerOptions } from './options.ts';

/** Counts at the end of a run. */
export interface WorkerSummary extends WorkerCounts {
  /** True when the drain timed out or a forced stop abandoned in-flight work (not deleted). */
  readonly aborted: boolean;
}

export { WorkerStartError } from '../sqs/index.ts';

/**
 * Starts a worker: reads the queue's ARN and visibility timeout, starts the metrics
 * server when asked, then `minPollers` pollers.
 *
 * @throws {ConfigError} for invalid options
 * @throws {WorkerStartError} when the queue's attributes cannot be read
 * @example
 * const worker = await startWorker({
 *   queueUrl, endpoint: 'http://127.0.0.1:4566',
 *   handler: await loadHandlerModule('lib/example/handlers/register-user.ts'),
 * });
 * process.once('SIGTERM', () => void worker.stop());
 * const summary = await worker.stopped;
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const opts = resolveWorkerOptions(options);
  const logger = opts.logger === false ? createJsonLogger('silent') : (opts.logger ?? createJsonLogger());
  const client = opts.sqsClient ?? createSqsClient(opts.region, opts.endpoint);
  let queue: QueueInfo;
  try {
    queue = await readQueueInfo(client, opts.queueUrl, opts.region);
  } catch (error) {
    if (!opts.sqsClient) client.destroy();
    throw error;
  }
  const worker = new Worker(opts, client, logger, queue);
  await worker.start();
  return worker;
}

/** A running worker; create it with {@link startWorker}. */
export class Worker {
  /** ARN of the queue, as records carry it in `eventSourceARN`. */
  readonly queueArn: string;
  /** The visibility timeout received messages get and the heartbeat renews, in seconds. */
  readonly visibilityTimeoutSeconds: number;
  /** Resolves with the summary once the worker has stopped. */
  readonly stopped: Promise<WorkerSummary>;
  private readonly opts: ResolvedWorkerOptions;
  private readonly client: SQSClient;
  private readonly logger: SluiceLogger;
  /** The Prometheus registry, only with a metrics server (`metricsPort`). */
  private readonly prometheus: WorkerMetrics | undefined;
  /** `prometheus`, or meters that record nothing. */
  private readonly metrics: WorkerMeters;
  private readonly heartbeat: VisibilityHeartbeat;
  private readonly loop: WorkerLoop;
  private readonly counts: WorkerCounts = { received: 0, succeeded: 0, failed: 0, deleteFailures: 0, visibilityExtensions: 0 };
  private metricsServer: MetricsServer | undefined;
  private state: WorkerHealth = 'starting';
  private abandoned = false;
  private resolveStopped!: (summary: WorkerSummary) => void;
  private stopping: Promise<WorkerSummary> | undefined;
  private forceStop: (() => void) | undefined;

  /** @internal use {@link startWorker} */
  constructor(opts: ResolvedWorkerOptions, client: SQSClient, logger: SluiceLogger, queue: QueueInfo) {
    const visibility = opts.visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds;
    this.opts = opts;
    this.client = client;
    this.logger = logger;
    this.queueArn = queue.queueArn;
    this.visibilityTimeoutSeconds = visibility;
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    this.prometheus = opts.metricsPort === undefined ? undefined : new WorkerMetrics(queue.queueArn.split(':').pop() || 'queue');
    this.metrics = this.prometheus ?? NO_METERS;
    this.heartbeat = new VisibilityHeartbeat({
      client, queueUrl: opts.queueUrl, visibilityTimeoutSeconds: visibility, logger,
      onExtended: (count) => {
        this.counts.visibilityExtensions += count;
        this.metrics.visibilityExtensions.inc(count);
      },
    });
    const env: BatchEnvironment = {
      client, queueUrl: opts.queueUrl, queue, handler: opts.handler, heartbeat: this.heartbeat,
      metrics: this.metrics, logger, counts: this.counts, abandoned: () => this.abandoned,
    };
    this.loop = new WorkerLoop({
      scaler: new PollerScaler(opts.minPollers, opts.maxPollers),
      slots: new Slots(opts.concurrency),
      receive: (max, signal) => this.receive(max, signal),
      process: (messages, handled, receiveStartedAt) => runWorkerBatch(env, messages, handled, receiveStartedAt),
      release: (messages) => this.release(messages),
      onPollers: (count) => this.metrics.pollers.set(count),
      logger,
    });
  }

  /** Pollers running now. */
  get pollers(): number {
    return this.loop.pollers;
  }

  /** Health as `/healthz` reports it. */
  get health(): WorkerHealth {
    return this.state === 'ok' && this.loop.failingReceives >= 3 ? 'degraded' : this.state;
  }

  /** Base URL of the metrics server, when one runs. */
  get metricsUrl(): string | undefined {
    return this.metricsServer?.url;
  }

  /** Counts so far, plus messages in flight. */
  snapshot(): WorkerCounts & { inFlight: number; pollers: number; peakPollers: number } {
    return { ...this.counts, inFlight: this.loop.inFlight, pollers: this.loop.pollers, peakPollers: this.loop.peakPollers };
  }

  /** @internal */
  async start(): Promise<void> {
    if (this.prometheus !== undefined && this.opts.metricsPort !== undefined) {
      this.metricsServer = await startMetricsServer(this.prometheus, () => this.health, this.opts.metricsPort, this.opts.metricsHost);
    }
    this.state = 'ok';
    this.loop.start();
    this.logger.info('Worker started', {
      queueUrl: this.opts.queueUrl, handler: this.opts.handler.description, minPollers: this.opts.minPollers,
      maxPollers: this.opts.maxPollers, concurrency: this.opts.concurrency, visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
      ...(this.metricsServer ? { metricsUrl: this.metricsServer.url } : {}),
    });
  }

  /**
   * Stops receiving and drains: in-flight batches finish and their successes are deleted.
   * After `drainTimeoutMs`, or at once with `abort: true` (also on a second call with it),
   * in-flight work is abandoned: not deleted, so it is delivered again after its timeout.
   */
  stop(options: { abort?: boolean } = {}): Promise<WorkerSummary> {
    if (options.abort) this.forceStop?.();
    this.stopping ??= this.drain(options.abort === true);
    return this.stopping;
  }

  private async drain(abortNow: boolean): Promise<WorkerSummary> {
    this.state = 'draining';
    this.logger.info('Worker draining', { inFlight: this.loop.inFlight });
    const forced = new Promise<void>((resolve) => (this.forceStop = resolve));
    const timer = setTimeout(() => this.forceStop?.(), this.opts.drainTimeoutMs);
    if (abortNow) this.forceStop?.();
    const drained = await Promise.race([this.loop.stop().then(() => true), forced.then(() => false)]);
    clearTimeout(timer);
    if (!drained) {
      this.abandoned = true;
      this.logger.warn('Worker aborted in-flight work; it will be delivered again after its visibility timeout', { inFlight: this.loop.inFlight });
    }
    this.heartbeat.stop();
    await this.metricsServer?.close();
    if (!this.opts.sqsClient) this.client.destroy();
    this.state = 'stopped';
    const summary: WorkerSummary = { ...this.counts, aborted: !drained };
    this.logger.info('Worker stopped', { ...summary });
    this.resolveStopped(summary);
    return summary;
  }

  private async receive(max: number, signal: AbortSignal): Promise<Message[]> {
    try {
      const messages = await receiveMessages(this.client, this.opts, max, signal);
      this.metrics.receives.inc({ result: messages.length === 0 ? 'empty' : messages.length >= MAX_RECEIVE ? 'full' : 'partial' });
      return messages;
    } catch (error) {
      if (!signal.aborted) this.metrics.receives.inc({ result: 'error' });
      throw error;
    }
  }

  private async release(messages: readonly Message[]): Promise<void> {
    const error = await releaseMessages(this.client, this.opts.queueUrl, messages.map((m) => m.ReceiptHandle ?? ''));
    if (error) this.logger.warn('Could not release messages received during shutdown', { count: messages.length, error });
  }
}

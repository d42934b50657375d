/**
 * Options of the long-polling worker: defaults, validation (the table
 * {@link WORKER_OPTIONS}, checked by the runtime's `validateOptions`) and resolution.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { MAX_VISIBILITY_TIMEOUT_SECONDS } from '../../lambda/runtime/contract.ts';
import { ConfigError, LOGGER_OPTION, validateOptions } from '../../lambda/runtime/index.ts';
import type { OptionTable, SluiceLogger } from '../../lambda/runtime/index.ts';
import type { WorkerHandler } from './handler-module.ts';

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  /** URL of the queue to consume. */
  readonly queueUrl: string;
  /** The handler each batch goes through (see `loadHandlerModule`). */
  readonly handler: WorkerHandler;
  /**
   * SQS endpoint, e.g. the embedded server's.
   * @default - the AWS endpoint of the region
   */
  readonly endpoint?: string;
  /**
   * Region of the SQS client.
   * @default - `AWS_REGION`, then the region in the queue URL, then `us-east-1`
   */
  readonly region?: string;
  /** @default 1 */
  readonly minPollers?: number;
  /** @default 10 */
  readonly maxPollers?: number;
  /**
   * Records being handled at most across all pollers; a poller asks for no more than the free slots.
   * A batch's slots are freed once its handler is done, while its successes are deleted
   * (at most `concurrency` more messages wait on deletes).
   * @default 50
   */
  readonly concurrency?: number;
  /** Long-polling wait of each `ReceiveMessage`, 0..20. @default 20 */
  readonly waitTimeSeconds?: number;
  /**
   * Visibility timeout asked for on receive and renewed by the heartbeat while work runs.
   * @default - the queue's `VisibilityTimeout`
   */
  readonly visibilityTimeoutSeconds?: number;
  /** Longest wait for in-flight work after a stop is asked for; then it is aborted. @default 30000 */
  readonly drainTimeoutMs?: number;
  /** Port of the Prometheus `/metrics` and `/healthz` server (0 = a free port). @default - no server */
  readonly metricsPort?: number;
  /** Address the metrics server listens on. @default '127.0.0.1' */
  readonly metricsHost?: string;
  /** `false` turns logging off. @default JSON lines to stdout/stderr */
  readonly logger?: SluiceLogger | false;
  /** A ready SQS client; `endpoint` and `region` are then ignored. @default - one built from the options */
  readonly sqsClient?: SQSClient;
}

/** Worker options with every default applied. */
export interface ResolvedWorkerOptions {
  readonly queueUrl: string;
  readonly handler: WorkerHandler;
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly minPollers: number;
  readonly maxPollers: number;
  readonly concurrency: number;
  readonly waitTimeSeconds: number;
  readonly visibilityTimeoutSeconds: number | undefined;
  readonly drainTimeoutMs: number;
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
  readonly logger: SluiceLogger | false | undefined;
  readonly sqsClient: SQSClient | undefined;
}

/** Defaults of the worker options. */
export const WORKER_DEFAULTS = {
  minPollers: 1,
  maxPollers: 10,
  concurrency: 50,
  waitTimeSeconds: 20,
  drainTimeoutMs: 30_000,
  metricsHost: '127.0.0.1',
} as const;

/** The worker options, in the order problems are reported. */
const WORKER_OPTIONS = {
  queueUrl: { type: 'url', required: true },
  handler: {
    test: (value: unknown): value is WorkerHandler => typeof (value as Partial<WorkerHandler> | null)?.run === 'function',
    required: true,
    allowed: 'a WorkerHandler (see loadHandlerModule)',
  },
  endpoint: { type: 'url' },
  region: { type: 'string' },
  minPollers: { type: 'integer', min: 1, max: 100, default: WORKER_DEFAULTS.minPollers },
  maxPollers: { type: 'integer', min: 1, max: 100, atLeast: 'minPollers', default: WORKER_DEFAULTS.maxPollers },
  concurrency: { type: 'integer', min: 1, max: 10_000, default: WORKER_DEFAULTS.concurrency },
  waitTimeSeconds: { type: 'integer', min: 0, max: 20, default: WORKER_DEFAULTS.waitTimeSeconds },
  visibilityTimeoutSeconds: { type: 'integer', min: 1, max: MAX_VISIBILITY_TIMEOUT_SECONDS },
  drainTimeoutMs: { type: 'integer', min: 0, max: 12 * 3_600_000, default: WORKER_DEFAULTS.drainTimeoutMs },
  metricsPort: { type: 'integer', min: 0, max: 65_535 },
  metricsHost: { type: 'string', default: WORKER_DEFAULTS.metricsHost },
  logger: LOGGER_OPTION,
  sqsClient: {
    test: (value: unknown): value is SQSClient => typeof (value as Partial<SQSClient> | null)?.send === 'function',
    allowed: 'an SQSClient',
  },
} as const satisfies OptionTable;

/** Reads the region from a queue URL such as `https://sqs.eu-west-1.amazonaws.com/123/q`. */
export function regionFromQueueUrl(queueUrl: string): string | undefined {
  return /^https?:\/\/sqs\.([a-z0-9-]+)\./.exec(queueUrl)?.[1];
}

/**
 * Validates the options and applies the defaults.
 *
 * @throws {ConfigError} naming every invalid option, the value received and what is allowed
 */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  const problems: string[] = [];
  const o = validateOptions(WORKER_OPTIONS, options, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    ...o,
    region: o.region ?? process.env.AWS_REGION ?? regionFromQueueUrl(o.queueUrl) ?? 'us-east-1',
    // Without maxPollers, at least as many pollers as minPollers may run.
    maxPollers: options.maxPollers === undefined ? Math.max(o.maxPollers, o.minPollers) : o.maxPollers,
  });
}

/**
 * Options of the long-polling worker: defaults, validation and resolution.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError } from '../../lambda/runtime/index.ts';
import type { SluiceLogger } from '../../lambda/runtime/index.ts';
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

const KNOWN_KEYS = new Set([
  'queueUrl', 'handler', 'endpoint', 'region', 'minPollers', 'maxPollers', 'concurrency', 'waitTimeSeconds',
  'visibilityTimeoutSeconds', 'drainTimeoutMs', 'metricsPort', 'metricsHost', 'logger', 'sqsClient',
]);

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

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
  const unknown = Object.keys(options).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) problems.push(`unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${[...KNOWN_KEYS].join(', ')}`);
  if (typeof options.handler?.run !== 'function') problems.push('handler: allowed: a WorkerHandler (see loadHandlerModule)');
  const int = (name: keyof WorkerOptions, min: number, max: number, fallback: number): number => {
    const value = options[name];
    if (value === undefined) return fallback;
    if (isInt(value, min, max)) return value;
    problems.push(`${name}: received ${String(value)}; allowed: an integer ${min}..${max}`);
    return fallback;
  };
  let queueUrl = '';
  try {
    queueUrl = new URL(options.queueUrl).toString();
  } catch {
    problems.push(`queueUrl: received ${JSON.stringify(options.queueUrl)}; allowed: an http(s) URL`);
  }
  if (options.endpoint !== undefined && !URL.canParse(options.endpoint)) {
    problems.push(`endpoint: received ${JSON.stringify(options.endpoint)}; allowed: an http(s) URL`);
  }
  const minPollers = int('minPollers', 1, 100, WORKER_DEFAULTS.minPollers);
  const maxPollers = int('maxPollers', 1, 100, Math.max(WORKER_DEFAULTS.maxPollers, minPollers));
  if (maxPollers < minPollers) {
    problems.push(`maxPollers: received ${maxPollers}; allowed: at least minPollers (${minPollers})`);
  }
  const visibility = options.visibilityTimeoutSeconds;
  const resolved: ResolvedWorkerOptions = {
    queueUrl: options.queueUrl,
    handler: options.handler,
    endpoint: options.endpoint,
    region: options.region ?? process.env.AWS_REGION ?? regionFromQueueUrl(queueUrl) ?? 'us-east-1',
    minPollers,
    maxPollers,
    concurrency: int('concurrency', 1, 10_000, WORKER_DEFAULTS.concurrency),
    waitTimeSeconds: int('waitTimeSeconds', 0, 20, WORKER_DEFAULTS.waitTimeSeconds),
    visibilityTimeoutSeconds: visibility === undefined ? undefined : int('visibilityTimeoutSeconds', 1, 43_200, 30),
    drainTimeoutMs: int('drainTimeoutMs', 0, 12 * 3_600_000, WORKER_DEFAULTS.drainTimeoutMs),
    metricsPort: options.metricsPort === undefined ? undefined : int('metricsPort', 0, 65_535, 0),
    metricsHost: options.metricsHost ?? WORKER_DEFAULTS.metricsHost,
    logger: options.logger,
    sqsClient: options.sqsClient,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(resolved);
}

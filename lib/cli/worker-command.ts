/**
 * `sluice worker`: the long-polling worker, with SIGTERM/SIGINT draining.
 */
import { createJsonLogger } from '../../lambda/runtime/index.ts';
import { loadHandlerModule } from '../worker/index.ts';
import { WORKER_DEFAULTS, regionFromQueueUrl } from '../worker/index.ts';
import { startWorker } from '../worker/index.ts';
import { applyEnvironmentDefaults, workerRuntimeEnvironment } from '../worker/index.ts';
import { createSqsClient } from '../sqs/index.ts';
import { EXIT, UsageError, intFlag, stringFlag, urlFlag } from './args.ts';
import type { CommandSpec } from './args.ts';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

/** `sluice worker --queue-url <url> --handler <module> [flags]`. */
export const workerCommand: CommandSpec = {
  name: 'worker',
  summary: 'Run a handler against an SQS queue with long polling (for containers)',
  usage: 'sluice worker --queue-url <url> --handler <module[#export]> [flags]',
  flags: {
    'queue-url': { type: 'string', value: 'url', required: true, description: 'Queue to consume' },
    handler: {
      type: 'string', value: 'module', required: true,
      description: 'Handler module: exports `handler = sqsHandler({...})` (the Lambda module itself), ' +
        'or `handle` (+ optional `options`), or any Lambda SQS handler; `#name` picks another export',
    },
    endpoint: { type: 'string', value: 'url', description: 'SQS endpoint, e.g. a local server', default: 'AWS for the region' },
    region: { type: 'string', value: 'region', description: 'SQS region', default: '$AWS_REGION, else from the queue URL, else us-east-1' },
    'min-pollers': { type: 'string', value: 'n', description: 'Pollers kept when the queue is idle', default: String(WORKER_DEFAULTS.minPollers) },
    'max-pollers': { type: 'string', value: 'n', description: 'Pollers at most under backlog', default: String(WORKER_DEFAULTS.maxPollers) },
    concurrency: { type: 'string', value: 'n', description: 'Messages handled at once at most, across pollers (as many more may await their delete)', default: String(WORKER_DEFAULTS.concurrency) },
    'wait-time-seconds': { type: 'string', value: 's', description: 'Long-poll wait of each receive, 0..20', default: String(WORKER_DEFAULTS.waitTimeSeconds) },
    'visibility-timeout-seconds': {
      type: 'string', value: 's', description: 'Visibility timeout of received messages, renewed while they run', default: "the queue's",
    },
    'drain-timeout-seconds': {
      type: 'string', value: 's', description: 'On SIGTERM/SIGINT, wait this long for in-flight work, then abort',
      default: String(WORKER_DEFAULTS.drainTimeoutMs / 1000),
    },
    'metrics-port': { type: 'string', value: 'port', description: 'Serve Prometheus /metrics and /healthz on this port (0 = any free)', default: 'off' },
    'metrics-host': { type: 'string', value: 'host', description: 'Address of the metrics server', default: WORKER_DEFAULTS.metricsHost },
    'log-level': { type: 'string', value: 'level', description: `JSON log level: ${LOG_LEVELS.join(', ')}`, default: '$SLUICE_LOG_LEVEL, else info' },
  },
  examples: [
    'sluice worker --queue-url http://127.0.0.1:4566/000000000000/register-user --endpoint http://127.0.0.1:4566 \\\n' +
      '    --handler lib/example/handlers/register-user.ts --max-pollers 5 --metrics-port 9464',
    'sluice worker --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/orders --handler ./dist/orders.js#handler',
  ],
  async run(values) {
    const logLevel = stringFlag(values, 'log-level');
    if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) {
      throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}; received '${logLevel}'`);
    }
    const drainSeconds = intFlag(values, 'drain-timeout-seconds', 0, 43_200);
    const options = {
      queueUrl: urlFlag(values, 'queue-url')!,
      endpoint: urlFlag(values, 'endpoint'),
      region: stringFlag(values, 'region'),
      minPollers: intFlag(values, 'min-pollers', 1, 100),
      maxPollers: intFlag(values, 'max-pollers', 1, 100),
      concurrency: intFlag(values, 'concurrency', 1, 10_000),
      waitTimeSeconds: intFlag(values, 'wait-time-seconds', 0, 20),
      visibilityTimeoutSeconds: intFlag(values, 'visibility-timeout-seconds', 1, 43_200),
      drainTimeoutMs: drainSeconds === undefined ? undefined : drainSeconds * 1000,
      metricsPort: intFlag(values, 'metrics-port', 0, 65_535),
      metricsHost: stringFlag(values, 'metrics-host'),
    };
    const logger = createJsonLogger(logLevel);
    // Before the handler module loads: the variables QueueConsumer sets for a Lambda function.
    const sqs = createSqsClient(options.region ?? process.env.AWS_REGION ?? regionFromQueueUrl(options.queueUrl) ?? 'us-east-1', options.endpoint);
    applyEnvironmentDefaults(await workerRuntimeEnvironment(sqs, options.queueUrl, options.endpoint));
    sqs.destroy();
    const handler = await loadHandlerModule(stringFlag(values, 'handler')!);
    const worker = await startWorker({ ...options, handler, logger });
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals += 1;
      logger.info(signals === 1 ? 'Signal received: draining' : 'Second signal: aborting in-flight work', { signal });
      void worker.stop({ abort: signals > 1 });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    try {
      const summary = await worker.stopped;
      return summary.aborted ? EXIT.failure : EXIT.ok;
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  },
};

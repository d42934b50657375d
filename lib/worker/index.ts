/**
 * The production long-polling consumer (`sluice worker`): pollers, bounded concurrency,
 * visibility heartbeat, deletes, Prometheus metrics, graceful shutdown.
 */
export { loadHandlerModule, sluiceWorkerHandler, lambdaWorkerHandler } from './handler-module.ts';
export type { BatchRunResult, WorkerHandler } from './handler-module.ts';
export { WORKER_DEFAULTS, regionFromQueueUrl } from './options.ts';
export { startWorker } from './worker.ts';
export { applyEnvironmentDefaults, workerRuntimeEnvironment } from './env.ts';
export type { WorkerOptions, WorkerSummary, Worker } from './worker.ts';
export { WorkerStartError } from '../sqs/index.ts';

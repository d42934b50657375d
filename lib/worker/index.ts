/**
 * lib/worker: the room's only way in from other folders.
 */
export { loadHandlerModule, sluiceWorkerHandler, lambdaWorkerHandler } from './handler-module.ts';
export type { BatchRunResult, WorkerHandler } from './handler-module.ts';
export { WORKER_DEFAULTS, regionFromQueueUrl } from './options.ts';
export { startWorker } from './worker.ts';
export { applyEnvironmentDefaults, workerRuntimeEnvironment } from './env.ts';

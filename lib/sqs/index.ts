/**
 * The one SQS layer of the worker, the local runtime and redrive: client construction,
 * receive/delete/change-visibility in batches of ten, the Lambda-shaped record, the
 * partial batch response reader and the loopback guard.
 */
export { LOCAL_CREDENTIALS, clientConfig, createSqsClient } from './client.ts';
export type { ClientConfig } from './client.ts';
export {
  MAX_BATCH_ENTRIES, inBatchesOfTen, receiveMessages, deleteMessages, changeVisibility, releaseMessages,
} from './batch-calls.ts';
export type { ReceiveSettings, DeleteTarget, DeleteResult, VisibilityChange, VisibilityChangeResult } from './batch-calls.ts';
export { WorkerStartError, readQueueInfo } from './queue-info.ts';
export type { QueueInfo } from './queue-info.ts';
export { toSqsRecord } from './record.ts';
export { interpretResponse, serializeResponse } from './partial-response.ts';
export type { InvocationOutcome, BatchVerdict } from './partial-response.ts';
export { isLoopbackHost } from './loopback.ts';
export { LoopbackError, assertLoopbackUrl } from './loopback-guard.ts';

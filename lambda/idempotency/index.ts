/**
 * `sluice/idempotency`: exactly-once effects across deliveries (README "Idempotency"). Pass a store as
 * `idempotency.store` of `sqsHandler` or `processBatch`; handlers that do not import this
 * entry carry none of its code.
 *
 * @example
 * import { sqsHandler } from 'sluice';
 * import { dynamoDbStore } from 'sluice/idempotency';
 *
 * export const handler = sqsHandler({
 *   idempotency: { store: dynamoDbStore(), key: (user) => user.userId },
 *   async handle(user) { await createUser(user); },
 * });
 */
export { dynamoDbStore } from './dynamodb-store.ts';
export type { DynamoDbClientLike, DynamoDbStoreOptions } from './dynamodb-store.ts';
export { memoryStore } from './memory-store.ts';
export type { MemoryStore, MemoryStoreOptions } from './memory-store.ts';
export { IDEMPOTENCY_DEFAULTS, idempotencyId, idempotencyStore } from './guard.ts';
export { IdempotencyInProgressError, IdempotencyStoreError } from './errors.ts';
export { IdempotencyStatus } from './types.ts';
export type { Claim, ClaimResult, ClaimTimes, Clock, IdempotencyItem, IdempotencyRecordStore, IdempotencyStore } from './types.ts';
export type { IdempotencyOptions } from '../runtime/index.ts';

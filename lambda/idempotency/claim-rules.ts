/**
 * The rules of the claim state machine (README "Idempotency") that every store shares: when an item
 * blocks a claim, what a claim writes, and what a blocking item means.
 */
import { IdempotencyStatus } from './types.ts';
import type { ClaimResult, ClaimTimes, IdempotencyItem } from './types.ts';

/** Whether `item` still blocks a claim at `now` (ms): the DynamoDB store's condition, inverted. */
export function blocks(item: IdempotencyItem | undefined, now: number): boolean {
  if (item === undefined || item.expiration < Math.floor(now / 1000)) return false;
  return item.status === IdempotencyStatus.COMPLETED || item.inProgressExpiry >= now;
}

/** The item a claim writes at `now` (ms). */
export function claimItem(id: string, times: ClaimTimes, now: number): IdempotencyItem {
  const inProgressExpiry = now + times.inProgressExpiryMs;
  // Never expire before the claim does.
  const expiration = Math.ceil(Math.max(now + times.expiresAfterSeconds * 1000, inProgressExpiry) / 1000);
  return { id, status: IdempotencyStatus.IN_PROGRESS, expiration, inProgressExpiry };
}

/** What a blocking item means for a claim. */
export function blockedBy(item: IdempotencyItem): ClaimResult {
  return item.status === IdempotencyStatus.COMPLETED ? { status: 'completed' } : { status: 'in-progress', inProgressExpiry: item.inProgressExpiry };
}

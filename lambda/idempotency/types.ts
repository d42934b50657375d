/**
 * Shared types of idempotency: the record store a guard drives, and its items.
 */
import type { IdempotencyHook } from '../runtime/index.ts';

/** The states of a key (README "Idempotency"); an absent key has no item. */
export const IdempotencyStatus = {
  /** Claimed by an invocation that has not finished the record yet. */
  IN_PROGRESS: 'IN_PROGRESS',
  /** The record succeeded: later copies are not run until `expiration`. */
  COMPLETED: 'COMPLETED',
} as const;
/** The states of a key. */
export type IdempotencyStatus = (typeof IdempotencyStatus)[keyof typeof IdempotencyStatus];

/** One key's item, as the DynamoDB table holds it. */
export interface IdempotencyItem {
  /** The namespaced key (the table's partition key). */
  readonly id: string;
  readonly status: IdempotencyStatus;
  /** When the item expires, in epoch seconds (the table's TTL attribute). */
  readonly expiration: number;
  /** When an `IN_PROGRESS` claim expires, in epoch milliseconds; also the claim's token. */
  readonly inProgressExpiry: number;
}

/** How long a claim lasts. */
export interface ClaimTimes {
  /** How long the key stays completed after success, in seconds. */
  readonly expiresAfterSeconds: number;
  /** How long the claim blocks others while in progress, in milliseconds. */
  readonly inProgressExpiryMs: number;
}

/** A claim this invocation holds; `inProgressExpiry` identifies it. */
export interface Claim {
  readonly status: 'claimed';
  /** The claim's in-progress expiry (epoch ms): only this claim is released with it. */
  readonly inProgressExpiry: number;
}

/** What claiming a key found. */
export type ClaimResult =
  | Claim
  | { readonly status: 'completed' }
  | { readonly status: 'in-progress'; /** When the other claim expires (epoch ms). */ readonly inProgressExpiry: number };

/**
 * The three operations of the claim state machine (README "Idempotency"). A store implements them
 * with conditional writes; {@link idempotencyStore} adds what the engine calls.
 */
export interface IdempotencyRecordStore {
  /**
   * Claims `key`: writes an `IN_PROGRESS` item only when the key is absent, expired, or an
   * expired in-progress claim; otherwise says what holds it. Rejects when the store fails.
   */
  claim(key: string, times: ClaimTimes): Promise<ClaimResult>;
  /** Marks `key` `COMPLETED`, expiring `expiresAfterSeconds` from now. */
  complete(key: string, expiresAfterSeconds: number): Promise<void>;
  /** Removes `key` when `claim` still holds it (a later claim of another invocation stays). */
  release(key: string, claim: Claim): Promise<void>;
}

/** A store for the `idempotency` option: the claim operations and the engine's hook. */
export interface IdempotencyStore extends IdempotencyRecordStore, IdempotencyHook {}

/** A clock: epoch milliseconds. */
export type Clock = () => number;

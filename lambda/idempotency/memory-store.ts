/**
 * `memoryStore()`: the claim state machine in a `Map`, for tests (one process only: it is
 * not shared between Lambda execution environments). Its clock is injectable.
 */
import { blockedBy, blocks, claimItem } from './claim-rules.ts';
import { idempotencyStore } from './guard.ts';
import { IdempotencyStatus } from './types.ts';
import type { Claim, ClaimResult, ClaimTimes, Clock, IdempotencyItem, IdempotencyStore } from './types.ts';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The clock, in epoch milliseconds.
   * @default Date.now
   */
  readonly now?: Clock;
}

/** An in-memory store; `items` shows its state. */
export interface MemoryStore extends IdempotencyStore {
  /** Every item by id, expired ones included (nothing deletes them but `release`). */
  readonly items: ReadonlyMap<string, IdempotencyItem>;
}

/**
 * An idempotency store in memory, with the same claim rules as the DynamoDB store.
 *
 * @param options - the clock
 * @returns a store for `idempotency.store`
 * @example
 * let now = Date.parse('2025-01-01T00:00:00Z');
 * const store = memoryStore({ now: () => now });
 * await processBatch(records, handle, { idempotency: { store } });
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const now = options.now ?? Date.now;
  const items = new Map<string, IdempotencyItem>();
  const store = idempotencyStore({
    async claim(id: string, times: ClaimTimes): Promise<ClaimResult> {
      const t = now();
      const item = items.get(id);
      if (item !== undefined && blocks(item, t)) return blockedBy(item);
      const claimed = claimItem(id, times, t);
      items.set(id, claimed);
      return { status: 'claimed', inProgressExpiry: claimed.inProgressExpiry };
    },
    async complete(id: string, expiresAfterSeconds: number): Promise<void> {
      const t = now();
      const item = items.get(id);
      items.set(id, {
        id, status: IdempotencyStatus.COMPLETED, expiration: Math.floor(t / 1000) + expiresAfterSeconds, inProgressExpiry: item?.inProgressExpiry ?? t,
      });
    },
    async release(id: string, claim: Claim): Promise<void> {
      const item = items.get(id);
      if (item?.status === IdempotencyStatus.IN_PROGRESS && item.inProgressExpiry === claim.inProgressExpiry) items.delete(id);
    },
  });
  return { ...store, items };
}

/**
 * An idempotency store whose guard tells the chaos ledger, per delivery, what it did: the
 * key had completed (an idempotent hit: `handle` not run), another live claim held it (a
 * refusal: the record failed with `IdempotencyInProgressError`), or `handle` ran and the
 * guard returned from completing the key. The store itself (claims, completion, release)
 * is the one given, unchanged.
 */
import { IdempotencyInProgressError } from '../lambda/idempotency/index.ts';
import type { IdempotencyStore } from '../lambda/idempotency/index.ts';
import type { IdempotencyGuard, MessageContext } from '../lambda/runtime/index.ts';

/** What the guard did with one delivery. */
export interface GuardEvents {
  /** The key had completed: not run, reported succeeded (counted as the runtime counts `idempotentHits`). */
  hit(message: unknown, ctx: MessageContext): void;
  /** Another live claim held the key: not run, failed (retried). */
  refused(message: unknown, ctx: MessageContext): void;
  /**
   * `handle` succeeded and the guard returned from completing the key. (A completion the
   * store rejected is logged by the guard and still lands here: counted as completed, the
   * conservative side for the chaos checks, since it can only make a later effect look
   * like a duplicate.)
   */
  completed(message: unknown, ctx: MessageContext): void;
}

/**
 * Wraps `store`'s guard with {@link GuardEvents}.
 *
 * @returns a store for `idempotency.store` with the same claim operations.
 */
export function observedStore(store: IdempotencyStore, on: GuardEvents): IdempotencyStore {
  return {
    ...store,
    guard(options, problems) {
      const guard = store.guard(options, problems);
      if (guard === undefined) return undefined;
      const observed: IdempotencyGuard = (handle, batch) => {
        const ran = new WeakSet<MessageContext>();
        const guarded = guard((message, ctx) => {
          ran.add(ctx);
          return handle(message, ctx);
        }, batch);
        return async (message, ctx) => {
          let result: unknown;
          try {
            result = await guarded(message, ctx);
          } catch (error) {
            if (!ran.has(ctx) && error instanceof IdempotencyInProgressError) on.refused(message, ctx);
            throw error;
          }
          if (ran.has(ctx)) on.completed(message, ctx);
          else if (!batch.finished) on.hit(message, ctx);
          return result;
        };
      };
      return observed;
    },
  };
}

/**
 * The idempotency guard (README "Idempotency"): around each record's `handle`, claim its key, then
 * complete the claim on success or release it on failure. The engine only calls the hook
 * of {@link idempotencyStore}; everything else is here, in the bundles that use it.
 */
import { createHash } from 'node:crypto';
import { IDEMPOTENCY_EXPIRES_AFTER_ENV, problem, validateOptions } from '../runtime/index.ts';
import type { GuardedBatch, Handle, IdempotencyGuard, IdempotencyMetrics, IdempotencyOptions, MessageContext, SqsRecord } from '../runtime/index.ts';
import { IdempotencyInProgressError, IdempotencyStoreError } from './errors.ts';
import type { Claim, ClaimResult, IdempotencyRecordStore, IdempotencyStore } from './types.ts';

/** Defaults of the `idempotency` option. */
export const IDEMPOTENCY_DEFAULTS = {
  /** A completed key stays completed this long. */
  expiresAfterSeconds: 3600,
  /** In-progress claims without a Lambda context (workers, tests): the longest Lambda timeout. */
  inProgressExpiryMsWithoutDeadline: 900_000,
} as const;

/** Longest id a DynamoDB partition key holds, in UTF-8 bytes; longer keys are hashed. */
const MAX_ID_BYTES = 2048;

const METRICS: IdempotencyMetrics = [['IdempotentHits', 'idempotentHits']];

const TABLE = {
  store: { type: 'object', required: true },
  key: { type: 'function', allowed: 'a function (message, record) => string' },
  expiresAfterSeconds: { type: 'integer', min: 1 },
  inProgressExpiryMs: { type: 'integer', min: 1 },
  namespace: { type: 'string' },
} as const;

type KeyOf = (message: unknown, record: SqsRecord) => unknown;

const byMessageId: KeyOf = (_message, record) => record.messageId;

/** The key's id in the store: `namespace#key`, or `namespace#sha256:…` past 2048 bytes. */
export function idempotencyId(namespace: string, key: string): string {
  const id = `${namespace}#${key}`;
  if (Buffer.byteLength(id) <= MAX_ID_BYTES) return id;
  return `${namespace.slice(0, 256)}#sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** `errorName` and `errorCode` of a store failure, for a warn line (never its message). */
function errorFieldsOf(error: unknown): Record<string, unknown> {
  const e = error as { name?: unknown; code?: unknown } | null;
  return { errorName: typeof e?.name === 'string' ? e.name : typeof error, ...(typeof e?.code === 'string' ? { errorCode: e.code } : {}) };
}

/**
 * Checks the `idempotency` options and returns the engine's guard.
 *
 * @param store - the claim operations
 * @param options - the `idempotency` option as given
 * @param problems - receives one line per problem
 * @returns the guard, or `undefined` when a problem was found
 */
export function createGuard(store: IdempotencyRecordStore, options: IdempotencyOptions<never>, problems: string[]): IdempotencyGuard | undefined {
  const before = problems.length;
  const o = validateOptions(TABLE, options, problems, { name: 'idempotency' });
  // The default expiry may come from the consumer (`QueueConsumer` `idempotency.expiresAfter`).
  let expiresAfterSeconds = o.expiresAfterSeconds;
  const fromEnv = process.env[IDEMPOTENCY_EXPIRES_AFTER_ENV];
  if (expiresAfterSeconds === undefined && fromEnv) {
    const seconds = Number(fromEnv);
    if (Number.isInteger(seconds) && seconds >= 1) expiresAfterSeconds = seconds;
    else problems.push(problem(IDEMPOTENCY_EXPIRES_AFTER_ENV, fromEnv, 'an integer ≥ 1 (seconds)'));
  }
  if (problems.length > before) return undefined;
  expiresAfterSeconds ??= IDEMPOTENCY_DEFAULTS.expiresAfterSeconds;
  const { inProgressExpiryMs, namespace } = o;
  const key = o.key as KeyOf | undefined;

  return (handle: Handle<unknown>, batch: GuardedBatch): Handle<unknown> => {
    const keyOf: KeyOf = key ?? (typeof batch.opts.dedupe === 'function' ? batch.opts.dedupe as KeyOf : byMessageId);
    const hits = new Set<SqsRecord>();
    batch.onSettle = (stats, outcomes) => {
      stats.idempotentHits = hits.size;
      if (outcomes !== undefined && hits.size > 0) {
        for (let i = 0; i < outcomes.length; i++) if (hits.has(batch.records[i]!)) outcomes[i]!.idempotentHit = true;
      }
      return METRICS;
    };
    const logger = batch.opts.logger;

    const release = async (id: string, claim: Claim, messageId: string): Promise<void> => {
      try {
        await store.release(id, claim);
      } catch (error) {
        logger.warn('Idempotency release failed; the key stays in progress until its claim expires', { messageId, ...errorFieldsOf(error) });
      }
    };

    return async (message: unknown, ctx: MessageContext): Promise<unknown> => {
      const { record, messageId } = ctx;
      const k = keyOf(message, record);
      if (typeof k !== 'string' || k.length === 0) {
        throw new TypeError(`Message ${messageId}: idempotency key is ${typeof k === 'string' ? 'empty' : typeof k}, expected a non-empty string`);
      }
      const id = idempotencyId(namespace ?? (ctx.lambdaContext?.functionName || process.env.AWS_LAMBDA_FUNCTION_NAME || 'sluice'), k);
      const left = batch.msUntilDeadline();
      const times = {
        expiresAfterSeconds,
        // By default a claim lasts as long as this invocation can: a crash frees the key for the retry.
        inProgressExpiryMs: inProgressExpiryMs
          ?? (left === undefined ? IDEMPOTENCY_DEFAULTS.inProgressExpiryMsWithoutDeadline : Math.max(1, left + batch.opts.deadlineMarginMs)),
      };
      let found: ClaimResult;
      try {
        found = await store.claim(id, times);
      } catch (cause) {
        throw new IdempotencyStoreError(`Message ${messageId}: the idempotency store failed to claim its key, so it was not run`, { cause });
      }
      if (found.status === 'completed') {
        // Counted only when the record is reported succeeded (not cut off by the deadline).
        if (!batch.finished) hits.add(record);
        return undefined;
      }
      if (found.status === 'in-progress') {
        throw new IdempotencyInProgressError(`Message ${messageId}: its idempotency key is claimed by an invocation still in progress`);
      }
      if (ctx.signal.aborted) {
        await release(id, found, messageId);
        throw ctx.signal.reason;
      }
      let result: unknown;
      try {
        result = await handle(message, ctx);
      } catch (error) {
        await release(id, found, messageId);
        throw error;
      }
      try {
        await store.complete(id, expiresAfterSeconds);
      } catch (error) {
        // The effect happened: failing the record would run it again once the claim expires.
        logger.warn('Idempotency completion failed; the key stays in progress until its claim expires', { messageId, ...errorFieldsOf(error) });
      }
      return result;
    };
  };
}

/**
 * Makes a store usable as `idempotency.store` from the three claim operations, e.g. for a
 * store of your own (Redis, a SQL table) with the semantics of {@link IdempotencyRecordStore}.
 *
 * @param records - `claim`, `complete` and `release`
 * @param check - checks the store's own settings when the handler is created (pushing problems)
 * @returns the store, with the hook the engine calls
 * @example
 * export const handler = sqsHandler({ idempotency: { store: idempotencyStore(myRedisRecords) }, handle });
 */
export function idempotencyStore(records: IdempotencyRecordStore, check?: (problems: string[]) => void): IdempotencyStore {
  const store: IdempotencyStore = {
    claim: (key, times) => records.claim(key, times),
    complete: (key, expiresAfterSeconds) => records.complete(key, expiresAfterSeconds),
    release: (key, claim) => records.release(key, claim),
    guard: (options, problems) => {
      check?.(problems);
      return createGuard(store, options, problems);
    },
  };
  return store;
}

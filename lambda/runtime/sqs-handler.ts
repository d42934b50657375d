/**
 * `sqsHandler`: the batch engine wired into middy with `@middy/sqs-partial-batch-failure`.
 */
import middy from '@middy/core';
import type { MiddyfiedHandler } from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import { recordsOf } from './check-event.ts';
import { ConfigError, InvalidEventError } from './errors.ts';
import { HANDLE_ALLOWED, resolveOptions } from './options.ts';
import { runBatch } from './process-batch.ts';
import type { Settled } from './process-batch.ts';
import { problem } from './validate-options.ts';
import type { BatchOptions, Handle, LambdaContext, SqsBatchResponse, SqsEvent, SqsHandlerOptions } from './types.ts';

/** The middy handler `sqsHandler` returns, carrying the handle and options it was built with. */
export type SluiceSqsHandler<T = unknown> = MiddyfiedHandler<SqsEvent, SqsBatchResponse, Error, LambdaContext> & {
  /** The `handle` and batch options, so a worker can run the same module outside Lambda. */
  readonly sluice: { readonly handle: Handle<T>; readonly options: BatchOptions<T> };
};

/**
 * Builds a Lambda handler for SQS events that processes each batch with bounded
 * parallelism and answers with partial batch failures.
 *
 * Options are validated here, once. The handler resolves to exactly
 * `{ batchItemFailures }`; it rejects (so Lambda retries the whole batch) only with an
 * `InvalidEventError`, for an event whose records could not be reported. The event
 * source mapping must have `ReportBatchItemFailures` on (`QueueConsumer` always sets it).
 *
 * @param options - `handle` plus the batch options of README "The runtime"
 * @returns a middy handler; `.use()` adds middlewares
 * @throws {ConfigError} listing every bad or unknown option
 * @example
 * import { sqsHandler } from 'sluice';
 * import * as z from 'zod/mini';
 *
 * const UserRegistered = z.object({ userId: z.string(), email: z.email() });
 *
 * export const handler = sqsHandler({
 *   schema: UserRegistered,
 *   concurrency: 10,
 *   async handle(user, ctx) {
 *     await createUser(user, { signal: ctx.signal });
 *   },
 * });
 */
export function sqsHandler<T = unknown>(options: SqsHandlerOptions<T>): SluiceSqsHandler<T> {
  const handle: unknown = (options as { handle?: unknown } | null | undefined)?.handle;
  if (typeof handle !== 'function') {
    throw new ConfigError([problem('handle', handle, HANDLE_ALLOWED)]);
  }
  const opts = resolveOptions(options);
  const { handle: _handle, ...batchOptions } = options;

  const base = async (event: SqsEvent, context: LambdaContext): Promise<Settled[]> => {
    const records = recordsOf(event);
    const { settled } = await runBatch(records, handle as Handle<unknown>, opts, context);
    return settled!;
  };

  // The engine owns the deadline (deadlineMarginMs), so middy's own early timeout is off.
  const handler = middy(base, { timeoutEarlyInMillis: 0 })
    // Its own log line per reported record would repeat the engine's warn line.
    .use(sqsPartialBatchFailure({ logger: false as never }))
    .use({
      // Runs before the partial-batch middleware's onError, which would otherwise turn
      // an unreportable event into an (empty) success and lose the batch.
      onError: (request) => {
        if (request.error instanceof InvalidEventError) throw request.error;
      },
    }) as unknown as SluiceSqsHandler<T>;
  Object.defineProperty(handler, 'sluice', {
    value: Object.freeze({ handle, options: Object.freeze(batchOptions) }),
    enumerable: false,
  });
  return handler;
}

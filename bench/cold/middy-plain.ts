/** Cold-start comparison, no schema and no I/O: `@middy/core` 7 + `@middy/sqs-partial-batch-failure`, the same decoding as Sluice's defaults. */
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { SqsEvent } from '../../lambda/runtime/index.ts';
import { decodePlain } from '../decode-plain.ts';

const handle = async (_message: unknown): Promise<void> => {};

export const handler = middy(async (event: SqsEvent) =>
  Promise.allSettled(event.Records.map(async (record) => handle(decodePlain(record.body)))),
).use(sqsPartialBatchFailure({ logger: () => {} }));

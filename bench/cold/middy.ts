/** Cold-start comparison: `@middy/core` + `@middy/sqs-partial-batch-failure` (zod/mini schema, plain fetch). */
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { SqsEvent } from '../../lambda/runtime/index.ts';
import { decodeUser } from '../decode-user.ts';
import { postUser } from './post-user.ts';

export const handler = middy(async (event: SqsEvent) =>
  Promise.allSettled(event.Records.map(async (record) => postUser(decodeUser(record.body)))),
).use(sqsPartialBatchFailure({ logger: () => {} }));

/** Cold-start comparison: `@aws-lambda-powertools/batch` `BatchProcessor` (zod/mini schema, plain fetch). */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { LambdaContext, SqsEvent, SqsRecord } from '../../lambda/runtime/index.ts';
import { decodeUser } from '../decode-user.ts';
import { postUser } from './post-user.ts';

const processor = new BatchProcessor(EventType.SQS);
const recordHandler = async (record: SqsRecord): Promise<void> => postUser(decodeUser(record.body));

export const handler = async (event: SqsEvent, context: LambdaContext) =>
  processPartialResponse(event, recordHandler, processor, { context });

/**
 * Cold-start comparison: `@aws-lambda-powertools/batch` `BatchProcessor` with its parser
 * integration and a classic `zod` schema of the whole record (SNS envelope and user).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { parser } from '@aws-lambda-powertools/batch/parser';
import type { z } from 'zod';
import type { LambdaContext, SqsEvent } from '../../lambda/runtime/index.ts';
import { UserRecordSchema } from '../user-classic.ts';
import { postUser } from './post-user.ts';

const processor = new BatchProcessor(EventType.SQS, { parser, schema: UserRecordSchema });
const recordHandler = async (record: z.infer<typeof UserRecordSchema>): Promise<void> => postUser(record.body.Message);

export const handler = async (event: SqsEvent, context: LambdaContext) =>
  processPartialResponse(event, recordHandler as never, processor, { context });

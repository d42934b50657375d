/** Cold-start comparison, no schema and no I/O: `@aws-lambda-powertools/batch` `BatchProcessor`, the same decoding as Sluice's defaults. */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { LambdaContext, SqsEvent, SqsRecord } from '../../lambda/runtime/index.ts';
import { decodePlain } from '../decode-plain.ts';

const handle = async (_message: unknown): Promise<void> => {};
const processor = new BatchProcessor(EventType.SQS);
const recordHandler = async (record: SqsRecord): Promise<void> => handle(decodePlain(record.body));

export const handler = async (event: SqsEvent, context: LambdaContext) =>
  processPartialResponse(event, recordHandler, processor, { context });

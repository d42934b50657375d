/** Cold-start comparison: no library, a hand-written handler (zod/mini schema, plain fetch). */
import type { SqsBatchResponse, SqsEvent } from '../../lambda/runtime/index.ts';
import { decodeUser } from '../decode-user.ts';
import { postUser } from './post-user.ts';

export const handler = async (event: SqsEvent): Promise<SqsBatchResponse> => {
  const settled = await Promise.allSettled(event.Records.map(async (record) => postUser(decodeUser(record.body))));
  const batchItemFailures = [];
  for (let i = 0; i < settled.length; i++) {
    if (settled[i]!.status === 'rejected') batchItemFailures.push({ itemIdentifier: event.Records[i]!.messageId });
  }
  return { batchItemFailures };
};

/** Cold-start comparison, no schema and no I/O: no library, the same decoding as Sluice's defaults. */
import type { SqsBatchResponse, SqsEvent } from '../../lambda/runtime/index.ts';
import { decodePlain } from '../decode-plain.ts';

const handle = async (_message: unknown): Promise<void> => {};

export const handler = async (event: SqsEvent): Promise<SqsBatchResponse> => {
  const settled = await Promise.allSettled(event.Records.map(async (record) => handle(decodePlain(record.body))));
  const batchItemFailures = [];
  for (let i = 0; i < settled.length; i++) {
    if (settled[i]!.status === 'rejected') batchItemFailures.push({ itemIdentifier: event.Records[i]!.messageId });
  }
  return { batchItemFailures };
};

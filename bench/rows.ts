/**
 * The rows of the batch benchmark. Every row gets the same event and does the same
 * per-record work (unwrap the SNS envelope, parse, validate with the same schema rules,
 * call the handler) and answers `{ batchItemFailures }`. Handlers are built once, outside
 * the timing, as in a warm Lambda.
 */
import { BatchProcessor, BatchProcessorSync, EventType, processPartialResponse, processPartialResponseSync } from '@aws-lambda-powertools/batch';
import { parser } from '@aws-lambda-powertools/batch/parser';
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { UserRegistered } from '../lib/example/handlers/user-schemas.ts';
import { sqsHandler } from '../lambda/runtime/index.ts';
import type { LambdaContext, SqsBatchResponse, SqsEvent, SqsRecord } from '../lambda/runtime/index.ts';
import { decodeUser } from './decode-user.ts';
import { UserRecordSchema } from './user-classic.ts';

/** One way of processing the batch. */
export interface Row {
  readonly name: string;
  readonly invoke: (event: SqsEvent, context: LambdaContext) => Promise<SqsBatchResponse>;
  /** Excluded from targets (e.g. unbounded concurrency); shown in the notes column. */
  readonly note?: string;
}

/** The user's handler in each row: a no-op, or one awaited I/O of `ioMs`. */
export type Work = (user: unknown) => Promise<void>;

const failuresOf = (records: readonly SqsRecord[], failed: Uint8Array): SqsBatchResponse => {
  const batchItemFailures = [];
  for (let i = 0; i < records.length; i++) if (failed[i] === 1) batchItemFailures.push({ itemIdentifier: records[i]!.messageId });
  return { batchItemFailures };
};

/** Plain synchronous loop: the CPU floor. */
export function floorLoop(): Row {
  const handle = (_user: unknown): void => {};
  return {
    name: 'floor: plain sync loop',
    invoke: async (event) => {
      const batchItemFailures = [];
      for (const record of event.Records) {
        try {
          handle(decodeUser(record.body));
        } catch {
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures };
    },
  };
}

/** `chains` bare async loops pulling the next record from a shared index, no framework. */
function floorChains(name: string, chains: number, work: Work, decode: boolean): Row {
  return {
    name,
    invoke: async (event) => {
      const records = event.Records;
      const n = records.length;
      const failed = new Uint8Array(n);
      let next = 0;
      const chain = async (): Promise<void> => {
        while (next < n) {
          const i = next++;
          try {
            if (decode) await work(decodeUser(records[i]!.body));
            else if ((i + 1) % 10 === 0) throw new Error('poison'); // timers only: poison known by position
            else await work(undefined);
          } catch {
            failed[i] = 1;
          }
        }
      };
      const all = [];
      for (let c = 0; c < Math.min(chains, n); c++) all.push(chain());
      await Promise.all(all);
      return failuresOf(records, failed);
    },
  };
}

/** Sluice decoding with its own envelope, body and schema steps (the same rules as `decodeUser`). */
function sluice(concurrency: number, work: Work): Row {
  const handler = sqsHandler({ schema: UserRegistered, concurrency, logger: false, handle: work });
  return { name: `Sluice sqsHandler, built-in decode (concurrency ${concurrency})`, invoke: (event, context) => handler(event, context) };
}

/**
 * Sluice running the peers' own record handler: no decoding of its own (`envelope: 'none'`,
 * `body: 'text'`), `handle` calls the handler with `ctx.record`, so the rows differ only
 * in the framework.
 */
export function sluiceSameWork(
  concurrency: number,
  work: Work,
  runtime: { sqsHandler: typeof sqsHandler } = { sqsHandler },
  name = `Sluice sqsHandler, same record handler (concurrency ${concurrency})`,
): Row {
  const recordHandler = async (record: SqsRecord): Promise<void> => work(decodeUser(record.body));
  const handler = runtime.sqsHandler({
    envelope: 'none', body: 'text', concurrency, logger: false,
    handle: (_body, ctx) => recordHandler(ctx.record),
  });
  return { name, invoke: (event, context) => handler(event, context) };
}

/** middy with every record in flight at once: `Promise.allSettled` over `Records.map`. */
export function middyAllSettled(work: Work): Row {
  const recordHandler = async (record: SqsRecord): Promise<void> => work(decodeUser(record.body));
  const handler = middy(async (event: SqsEvent) => Promise.allSettled(event.Records.map(recordHandler)))
    .use(sqsPartialBatchFailure({ logger: () => {} }));
  return {
    name: 'middy + Promise.allSettled (unbounded)',
    invoke: (event, context) => handler(event, context) as unknown as Promise<SqsBatchResponse>,
    note: 'unbounded: every record in flight at once',
  };
}

function middyPLimit(concurrency: number, work: Work): Row {
  const handler = middy(async (event: SqsEvent) => {
    const limit = pLimit(concurrency);
    return Promise.allSettled(event.Records.map((record) => limit(() => work(decodeUser(record.body)))));
  }).use(sqsPartialBatchFailure({ logger: () => {} }));
  return {
    name: `middy + p-limit(${concurrency}) + allSettled`,
    invoke: (event, context) => handler(event, context) as unknown as Promise<SqsBatchResponse>,
  };
}

function powertools(work: Work, inParallel: boolean): Row {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SqsRecord): Promise<void> => work(decodeUser(record.body));
  return {
    name: `Powertools BatchProcessor, ${inParallel ? 'parallel' : 'processInParallel: false'}`,
    invoke: (event, context) =>
      processPartialResponse(event, recordHandler, processor, { context, processInParallel: inParallel }) as Promise<SqsBatchResponse>,
    ...(inParallel ? { note: 'unbounded: every record in flight at once (no concurrency option)' } : {}),
  };
}

function powertoolsSync(): Row {
  const processor = new BatchProcessorSync(EventType.SQS);
  const handle = (_user: unknown): void => {};
  const recordHandler = (record: SqsRecord): void => handle(decodeUser(record.body));
  return {
    name: 'Powertools BatchProcessorSync (processPartialResponseSync)',
    invoke: async (event, context) => processPartialResponseSync(event, recordHandler, processor, { context }) as SqsBatchResponse,
  };
}

function powertoolsParser(work: Work): Row {
  const processor = new BatchProcessor(EventType.SQS, { parser, schema: UserRecordSchema });
  const recordHandler = async (record: { body: { Message: unknown } }): Promise<void> => work(record.body.Message);
  return {
    name: 'Powertools BatchProcessor + parser (classic zod), parallel',
    invoke: (event, context) => processPartialResponse(event, recordHandler as never, processor, { context }) as Promise<SqsBatchResponse>,
    note: 'informational: validates the whole record with classic zod',
  };
}

/** The no-op handler of case (a). */
export const noop: Work = async () => {};

/**
 * Case (a): a no-op handler, so the rows measure the framework plus decode/validate.
 * `quick` keeps the rows the targets compare (the loop, the three peers, both Sluice rows).
 */
export function noopRows(concurrency: number, quick = false): Row[] {
  return [
    floorLoop(),
    powertools(noop, true),
    ...(quick ? [] : [powertools(noop, false), powertoolsSync()]),
    middyAllSettled(noop),
    middyPLimit(concurrency, noop),
    sluiceSameWork(concurrency, noop),
    sluice(concurrency, noop),
  ];
}

/**
 * Case (a), informational: Powertools with its parser and classic zod, beside the plain loop.
 * A pass of its own: its garbage (~4× the others' CPU) would weigh on whichever row follows it.
 */
export function parserRows(): Row[] {
  return [floorLoop(), powertoolsParser(noop)];
}

/** Case (b): each valid record awaits `ioMs` of simulated I/O; `quick` keeps the chains and the Sluice rows. */
export function ioRows(concurrency: number, ioMs: number, quick = false): Row[] {
  const io: Work = () => sleep(ioMs);
  return [
    floorChains(`floor: ${concurrency} bare await chains`, concurrency, io, true),
    ...(quick ? [] : [
      { ...floorChains(`timers only: ${concurrency} chains, no decode`, concurrency, io, false), note: 'informational: the timer cost alone' },
      powertools(io, true),
      middyAllSettled(io),
      middyPLimit(concurrency, io),
    ]),
    sluiceSameWork(concurrency, io),
    sluice(concurrency, io),
  ];
}

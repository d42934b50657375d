/**
 * The bad-input corpus over real SQS semantics (embedded fauxqs): which record-level
 * cases can travel through a queue, how each is sent (a good message before and after
 * the bad one; via SNS for envelope cases), and what must become of the bad message.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTopicCommand, PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import type { SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Message, MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import { build } from 'esbuild';
import { DLQ_ATTRIBUTES } from '../../lambda/runtime/index.ts';
import { badBody, caseRecords, loadCorpus } from '../corpus/load-corpus.ts';
import type { CorpusCase } from '../corpus/load-corpus.ts';

/**
 * Record-level cases that cannot be produced by sending a message to SQS, and why.
 * `rejected: true` means the embedded server refuses the bad body; a test checks that it still does.
 */
export const SKIPPED_ON_SQS: Readonly<Record<string, { reason: string; rejected?: true }>> = {
  '17-body-empty.json': { reason: 'SQS rejects an empty MessageBody (MissingParameter)', rejected: true },
  '18-body-null.json': { reason: 'an SQS body is always a string; null cannot be sent' },
  '19-body-number.json': { reason: 'an SQS body is always a string; a number cannot be sent' },
  '38-body-oversize-invalid.json': { reason: 'SQS rejects bodies over 1 MiB (InvalidParameterValue)', rejected: true },
  '39-body-emoji-text.json': {
    reason: 'fauxqs 2.4.1 rejects astral characters (#x10000-#x10FFFF, e.g. emoji) that real SQS accepts (InvalidMessageContents)',
    rejected: true,
  },
  '42-body-raw-control-characters.json': { reason: 'SQS rejects raw #x1 in a body (InvalidMessageContents)', rejected: true },
  '50-attributes-malformed.json': { reason: 'SQS always delivers well-formed message attributes; null or number entries cannot be sent' },
  '51-attributes-null.json': { reason: 'SQS delivers messageAttributes as an object; null cannot be sent' },
  '52-system-attributes-missing.json': { reason: 'SQS sets the system attributes; a sender cannot remove them' },
  '53-receive-count-bogus.json': { reason: 'SQS sets ApproximateReceiveCount; a sender cannot forge it' },
  '54-fifo-no-group.json': { reason: 'a FIFO queue requires MessageGroupId on every message (MissingParameter)' },
  '55-duplicate-message-id.json': { reason: 'SQS assigns message ids; a sender cannot make two messages share one' },
};

/** Every record-level case, with the skipped ones marked. */
export const recordCases: readonly CorpusCase[] = loadCorpus().filter((c) => c.level === 'record');

/** The record-level cases that travel through SQS. */
export const sqsCases: readonly CorpusCase[] = recordCases.filter((c) => SKIPPED_ON_SQS[c.file] === undefined);

/**
 * Bundles `test/fixtures/handlers/corpus.ts` as `cdk deploy` bundles a function: ESM,
 * `@aws-sdk/*` external (the Lambda runtime, and the local invoker, provide it).
 * Resolves to the asset directory (`index.mjs`).
 */
export async function bundleCorpusFixture(): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'sluice-fixture-corpus-'));
  await build({
    entryPoints: [fileURLToPath(new URL('../fixtures/handlers/corpus.ts', import.meta.url))],
    bundle: true, platform: 'node', format: 'esm', target: 'node22', external: ['@aws-sdk/*'],
    outfile: join(outdir, 'index.mjs'), logLevel: 'silent',
  });
  return outdir;
}

/** What must happen to the bad message of a case. */
export type Disposition = 'deleted' | 'dead-lettered' | 'retried';

/** Succeeded → deleted; failed with a permanent code → dead-lettered at once; any other failure → retried. */
export function dispositionOf(c: CorpusCase): Disposition {
  if (c.expect.status === 'succeeded' || c.expect.status === 'duplicate') return 'deleted';
  return c.expect.errorCode === undefined ? 'retried' : 'dead-lettered';
}

/** Envelope cases send their good messages through an SNS topic (raw delivery off). */
export const viaSns = (c: CorpusCase): boolean => c.name.startsWith('sns-');

/** The bad record's message attributes as SQS sends them (binary values as the bytes they decode to). */
function messageAttributesOf(c: CorpusCase): Record<string, MessageAttributeValue> | undefined {
  const attrs = c.record?.messageAttributes as Record<string, { stringValue?: string; binaryValue?: string; dataType: string }> | undefined;
  if (!attrs) return undefined;
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, a] of Object.entries(attrs)) {
    out[name] = a.binaryValue !== undefined
      ? { DataType: a.dataType, BinaryValue: Buffer.from(a.binaryValue, 'base64') }
      : { DataType: a.dataType, StringValue: a.stringValue ?? '' };
  }
  return out;
}

/** A fresh queue (30 s visibility) and, for SNS cases, a topic subscribed to it. */
export async function caseQueue(sqs: SQSClient, sns: SNSClient, c: CorpusCase, prefix: string): Promise<{ url: string; arn: string; name: string; topicArn?: string }> {
  const name = `${prefix}-${c.file.slice(0, 2)}-${process.pid}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '30' } }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const queue = { url: QueueUrl!, arn: Attributes!.QueueArn!, name };
  if (!viaSns(c)) return queue;
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-topic` }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queue.arn }));
  return { ...queue, topicArn: TopicArn! };
}

/** Sends good, bad, good (the goods through SNS when the queue has a topic); resolves to the bad message's id. */
export async function sendCase(sqs: SQSClient, sns: SNSClient, c: CorpusCase, queue: { url: string; topicArn?: string }): Promise<string> {
  const goodBody = caseRecords(c)[0]!.body;
  const sendGood = async (): Promise<void> => {
    if (queue.topicArn === undefined) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: goodBody }));
      return;
    }
    const inner = c.options?.envelope === 'sns' ? (JSON.parse(goodBody) as { Message: string }).Message : goodBody;
    await sns.send(new PublishCommand({ TopicArn: queue.topicArn, Message: inner }));
  };
  await sendGood();
  const attributes = messageAttributesOf(c);
  const { MessageId } = await sqs.send(new SendMessageCommand({
    QueueUrl: queue.url, MessageBody: badBody(c) as string, ...(attributes ? { MessageAttributes: attributes } : {}),
  }));
  await sendGood();
  return MessageId!;
}

/** Receives (and deletes) what is on the DLQ now. */
export async function drainDlq(sqs: SQSClient, dlqUrl: string): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'],
    }));
    if (Messages.length === 0) return out;
    out.push(...Messages);
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }));
  }
}

/** The `sluice.*` attributes of a dead-lettered message, by short name. */
export function dlqAttributes(m: Message): { errorCode?: string; sourceQueue?: string } {
  const a = m.MessageAttributes ?? {};
  return { errorCode: a[DLQ_ATTRIBUTES.errorCode]?.StringValue, sourceQueue: a[DLQ_ATTRIBUTES.sourceQueue]?.StringValue };
}

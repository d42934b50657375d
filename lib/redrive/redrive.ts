/**
 * `sluice redrive`: moves messages from a dead-letter queue back to where they came
 * from. Bodies, message attributes and FIFO group ids are kept; each message is deleted
 * from the DLQ only after its send succeeded, so a crash or a failed send never loses
 * one (at worst it is sent again on the next run; FIFO targets deduplicate that by the
 * DLQ message id).
 */
import {
  DeleteMessageBatchCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListDeadLetterSourceQueuesCommand,
  ReceiveMessageCommand, SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import type { Message, MessageAttributeValue, SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { DLQ_ATTRIBUTES } from '../../lambda/runtime/contract.ts';

/** Options of {@link redrive}. */
export interface RedriveOptions {
  readonly sqs: SQSClient;
  /** The dead-letter queue to drain. */
  readonly dlqUrl: string;
  /**
   * Where every message goes.
   * @default - each message's source: the `sluice.sourceQueue` attribute the runtime adds to poison, else the DLQ's only source queue (`ListDeadLetterSourceQueues`, or `RedriveAllowPolicy`)
   */
  readonly to?: string;
  /** @default - all */
  readonly max?: number;
  /** Count and resolve targets without moving anything. */
  readonly dryRun?: boolean;
  /** How long received messages stay hidden while they are moved. @default 60 */
  readonly visibilityTimeoutSeconds?: number;
  /** Called after every batch with the running totals. */
  readonly onProgress?: (summary: RedriveSummary) => void;
}

/** What a redrive did. */
export interface RedriveSummary {
  /** Messages received from the DLQ (dry run: visible messages counted). */
  received: number;
  moved: number;
  /** Messages whose send failed; they stay in the DLQ and become visible again. */
  failed: number;
  /** Messages with no known target; they stay in the DLQ. */
  unroutable: number;
  /** Moved (dry run: would move) per target queue URL. */
  byTarget: Record<string, number>;
  dryRun: boolean;
}

/** Thrown when the target cannot be known and `--to` was not given. */
export class RedriveTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedriveTargetError';
  }
}

const OURS = new Set<string>(Object.values(DLQ_ATTRIBUTES));

/** The one source queue of a DLQ, when SQS can tell. */
async function soleSource(sqs: SQSClient, dlqUrl: string): Promise<string | undefined> {
  try {
    const { queueUrls = [] } = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
    if (queueUrls.length === 1) return queueUrls[0];
  } catch {
    // Not supported by every local server (fauxqs); fall through to the allow policy.
  }
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['RedriveAllowPolicy'] }));
  const policy = Attributes.RedriveAllowPolicy ? (JSON.parse(Attributes.RedriveAllowPolicy) as { sourceQueueArns?: string[] }) : {};
  const arn = policy.sourceQueueArns?.length === 1 ? policy.sourceQueueArns[0] : undefined;
  if (arn === undefined) return undefined;
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: arn.split(':')[5]!, QueueOwnerAWSAccountId: arn.split(':')[4] }));
  return QueueUrl;
}

function attributesToKeep(message: Message): Record<string, MessageAttributeValue> | undefined {
  const kept = Object.entries(message.MessageAttributes ?? {}).filter(([name]) => !OURS.has(name));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

function entryFor(message: Message, index: number, fifoTarget: boolean): SendMessageBatchRequestEntry {
  const entry: SendMessageBatchRequestEntry = { Id: `m${index}`, MessageBody: message.Body ?? '' };
  const attributes = attributesToKeep(message);
  if (attributes) entry.MessageAttributes = attributes;
  if (fifoTarget) {
    entry.MessageGroupId = message.Attributes?.MessageGroupId ?? message.MessageId;
    entry.MessageDeduplicationId = message.MessageId;
  }
  return entry;
}

/**
 * Moves messages from `dlqUrl` to their source (or `to`) until the DLQ is empty or
 * `max` messages were handled.
 *
 * @returns the totals
 * @throws {RedriveTargetError} when a message has no known target and `to` is not set (nothing is moved)
 */
export async function redrive(options: RedriveOptions): Promise<RedriveSummary> {
  const { sqs, dlqUrl } = options;
  const summary: RedriveSummary = { received: 0, moved: 0, failed: 0, unroutable: 0, byTarget: {}, dryRun: options.dryRun === true };
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const fallback = options.to ?? (await soleSource(sqs, dlqUrl));
  const sourceUrls = new Map<string, string>();
  const targetOf = async (message: Message): Promise<string | undefined> => {
    const name = message.MessageAttributes?.[DLQ_ATTRIBUTES.sourceQueue]?.StringValue;
    if (options.to !== undefined || name === undefined) return fallback;
    let url = sourceUrls.get(name);
    if (url === undefined) {
      url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
      if (url !== undefined) sourceUrls.set(name, url);
    }
    return url;
  };

  if (options.dryRun) {
    const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    summary.received = Math.min(max, Number(Attributes.ApproximateNumberOfMessages ?? 0));
    if (fallback !== undefined) summary.byTarget[fallback] = summary.received;
    return summary;
  }

  let index = 0;
  const seen = new Set<string>();
  while (summary.received < max) {
    const want = Math.min(10, max - summary.received);
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: dlqUrl, MaxNumberOfMessages: want, WaitTimeSeconds: 1,
      VisibilityTimeout: options.visibilityTimeoutSeconds ?? 60,
      MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
    }));
    // A message seen before failed or had no target in this run: it is left in the DLQ,
    // and the run ends when only such messages come back.
    const fresh = Messages.filter((m) => !seen.has(m.MessageId!));
    if (fresh.length === 0) break;
    for (const m of fresh) seen.add(m.MessageId!);
    summary.received += fresh.length;
    const byTarget = new Map<string, Message[]>();
    for (const message of fresh) {
      const target = await targetOf(message);
      if (target === undefined) {
        summary.unroutable++;
        continue;
      }
      const list = byTarget.get(target);
      if (list) list.push(message);
      else byTarget.set(target, [message]);
    }
    if (summary.unroutable > 0 && summary.moved === 0 && byTarget.size === 0) {
      throw new RedriveTargetError(
        `Cannot tell where messages of ${dlqUrl} came from (no ${DLQ_ATTRIBUTES.sourceQueue} attribute, no single source queue); pass --to <queue-url>. Nothing was moved.`,
      );
    }
    for (const [target, messages] of byTarget) {
      const entries = messages.map((m) => entryFor(m, index++, target.endsWith('.fifo')));
      let sentIds = new Set<string>();
      try {
        const response = await sqs.send(new SendMessageBatchCommand({ QueueUrl: target, Entries: entries }));
        sentIds = new Set((response.Successful ?? []).map((s) => s.Id!));
      } catch {
        // Whole call failed: nothing sent, nothing deleted.
      }
      const toDelete = messages.filter((_, i) => sentIds.has(entries[i]!.Id!));
      summary.failed += messages.length - toDelete.length;
      if (toDelete.length > 0) {
        await sqs.send(new DeleteMessageBatchCommand({
          QueueUrl: dlqUrl, Entries: toDelete.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })),
        }));
        summary.moved += toDelete.length;
        summary.byTarget[target] = (summary.byTarget[target] ?? 0) + toDelete.length;
      }
    }
    options.onProgress?.({ ...summary, byTarget: { ...summary.byTarget } });
  }
  return summary;
}

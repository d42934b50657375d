/**
 * `redrive` against the embedded server: everything moves back, nothing is lost or
 * duplicated, and nothing leaves the DLQ unless its send succeeded.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { DLQ_ATTRIBUTES } from '../../lambda/runtime/contract.ts';
import { redrive, RedriveTargetError } from '../../lib/redrive/index.ts';
import { createQueue, queueDepth, useTestSqs } from '../helpers/worker-fixtures.ts';

const env = useTestSqs();

function queue(suffix: string, fifo = false): Promise<string> {
  return createQueue(env.sqs, fifo ? { FifoQueue: 'true' } : {}, `rd-${suffix}`);
}

async function drain(url: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await env.sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300,
      MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
    }));
    if (Messages.length === 0) return all;
    all.push(...Messages);
    // Delete as we go: a FIFO group releases its next message only after the previous one is gone.
    await env.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }));
  }
}

async function depth(url: string): Promise<number> {
  const { visible, inFlight } = await queueDepth(env.sqs, url);
  return visible + inFlight;
}

describe('redrive', () => {
  it('moves every message back to the source named by the runtime, keeping bodies and attributes, without duplicates', async () => {
    const source = await queue('src');
    const dlq = await queue('dlq');
    const sourceName = source.split('/').pop()!;
    const bodies = Array.from({ length: 25 }, (_, i) => JSON.stringify({ i, note: 'ünïcode' }));
    for (const body of bodies) {
      await env.sqs.send(new SendMessageCommand({
        QueueUrl: dlq, MessageBody: body,
        MessageAttributes: {
          eventType: { DataType: 'String', StringValue: 'UserRegistered' },
          [DLQ_ATTRIBUTES.sourceQueue]: { DataType: 'String', StringValue: sourceName },
          [DLQ_ATTRIBUTES.errorCode]: { DataType: 'String', StringValue: 'VALIDATION' },
        },
      }));
    }
    const progress: number[] = [];
    const summary = await redrive({ sqs: env.sqs, dlqUrl: dlq, onProgress: (s) => progress.push(s.moved) });
    expect(summary).toMatchObject({ received: 25, moved: 25, failed: 0, unroutable: 0, byTarget: { [source]: 25 } });
    expect(progress.at(-1)).toBe(25);
    expect(await depth(dlq)).toBe(0);
    const back = await drain(source);
    expect(back.map((m) => m.Body).sort()).toEqual([...bodies].sort());
    for (const m of back) {
      expect(m.MessageAttributes?.eventType?.StringValue).toBe('UserRegistered');
      expect(m.MessageAttributes?.[DLQ_ATTRIBUTES.errorCode]).toBeUndefined();
    }
  });

  it('sends to --to and keeps FIFO group ids', async () => {
    const dlq = await queue('dlq', true);
    const target = await queue('target', true);
    for (const [i, group] of ['a', 'b', 'a'].entries()) {
      await env.sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: `step-${i}`, MessageGroupId: group, MessageDeduplicationId: `d${i}` }));
    }
    const summary = await redrive({ sqs: env.sqs, dlqUrl: dlq, to: target });
    expect(summary.moved).toBe(3);
    const moved = await drain(target);
    expect(moved.map((m) => [m.Body, m.Attributes?.MessageGroupId])).toEqual(
      expect.arrayContaining([['step-0', 'a'], ['step-1', 'b'], ['step-2', 'a']]),
    );
    expect(moved).toHaveLength(3);
  });

  it('deletes nothing from the DLQ when the send fails', async () => {
    const dlq = await queue('dlq');
    await env.sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: 'keep me' }));
    const missing = `${env.server.endpoint}/000000000000/no-such-queue-${Date.now()}`;
    const summary = await redrive({ sqs: env.sqs, dlqUrl: dlq, to: missing, visibilityTimeoutSeconds: 1 });
    expect(summary).toMatchObject({ moved: 0, failed: 1 });
    expect(await depth(dlq)).toBe(1);
  });

  it('refuses to guess a target and moves nothing', async () => {
    const dlq = await queue('dlq');
    await env.sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: 'orphan' }));
    await expect(redrive({ sqs: env.sqs, dlqUrl: dlq, visibilityTimeoutSeconds: 1 })).rejects.toBeInstanceOf(RedriveTargetError);
    expect(await depth(dlq)).toBe(1);
  });

  it('counts without moving on a dry run', async () => {
    const dlq = await queue('dlq');
    const target = await queue('target');
    for (let i = 0; i < 3; i++) await env.sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: `m${i}` }));
    const summary = await redrive({ sqs: env.sqs, dlqUrl: dlq, to: target, dryRun: true });
    expect(summary).toMatchObject({ dryRun: true, received: 3, moved: 0, byTarget: { [target]: 3 } });
    expect(await depth(dlq)).toBe(3);
    expect(await depth(target)).toBe(0);
  });
});

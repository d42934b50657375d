/**
 * Waits until an app's source queues are drained: every queue an event source mapping
 * reads is empty (visible, in flight and delayed) and no emulator holds a message.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { LocalFunctions } from './local-app.ts';

/** Messages visible, in flight and delayed in one queue. */
export async function queueBacklog(sqs: SQSClient, queueUrl: string): Promise<number> {
  const result = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
  }));
  const a = result.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
}

/** Total backlog of every source queue plus messages the emulators hold. */
export async function totalBacklog(sqs: SQSClient, local: LocalFunctions): Promise<number> {
  let total = 0;
  for (const fn of local.functions) {
    for (const e of fn.emulators) total += e.inFlight;
    for (const q of fn.queues) total += await queueBacklog(sqs, q.url);
  }
  return total;
}

/**
 * Resolves true once the backlog is zero on two checks in a row (`pollMs` apart), false
 * after `timeoutMs` or when `signal` aborts.
 */
export async function waitForDrain(sqs: SQSClient, local: LocalFunctions, options: { timeoutMs: number; pollMs?: number; signal?: AbortSignal }): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  let zeroes = 0;
  while (Date.now() < deadline && !options.signal?.aborted) {
    zeroes = (await totalBacklog(sqs, local)) === 0 ? zeroes + 1 : 0;
    if (zeroes >= 2) return true;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
  }
  return false;
}

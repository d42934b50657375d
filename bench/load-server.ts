/**
 * The load run's server side, in a child process so the consumer's memory is measured
 * alone: the embedded server on 127.0.0.1, a queue (+ DLQ, `maxReceiveCount` 5) and a
 * producer that keeps at most `backlog` messages waiting until `messages` were sent.
 * Bodies are `{"n":<index>}`.
 *
 * `node bench/load-server.ts <messages> <backlog> [visibilitySeconds]`: writes one JSON line
 * `{ endpoint, region, queueUrl, queueArn, dlqUrl }`, later `{ sent }` when all were sent;
 * stops when stdin closes or on SIGTERM.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localClientConfig, startEmbeddedServer } from '../lib/local/index.ts';

const [messages = 1000, backlog = 2000, visibility = 30] = process.argv.slice(2).map(Number);
const server = await startEmbeddedServer({ port: 0 });
const sqs = new SQSClient(localClientConfig(server));
const stop = async (): Promise<void> => {
  sqs.destroy();
  await server.stop();
  process.exit(0);
};
process.stdin.on('end', () => void stop()).resume();
process.on('SIGTERM', () => void stop());

const attr = async (url: string, names: string[]): Promise<Record<string, string>> =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names as never }))).Attributes ?? {};
const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'load-dlq' }))).QueueUrl!;
const dlqArn = (await attr(dlqUrl, ['QueueArn'])).QueueArn!;
const queueUrl = (await sqs.send(new CreateQueueCommand({
  QueueName: 'load',
  Attributes: { VisibilityTimeout: String(visibility), RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) },
}))).QueueUrl!;
const queueArn = (await attr(queueUrl, ['QueueArn'])).QueueArn!;
process.stdout.write(`${JSON.stringify({ endpoint: server.endpoint, region: server.region, queueUrl, queueArn, dlqUrl })}\n`);

let next = 0;
const sendTen = async (): Promise<void> => {
  const from = next;
  const count = Math.min(10, messages - from);
  next += count;
  const Entries = Array.from({ length: count }, (_, j) => ({ Id: `m${j}`, MessageBody: `{"n":${from + j}}` }));
  const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
  if ((result.Failed ?? []).length > 0) throw new Error(`send failed: ${JSON.stringify(result.Failed)}`);
};
while (next < messages) {
  const waiting = Number((await attr(queueUrl, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages ?? 0);
  const room = Math.min(backlog - waiting, messages - next);
  if (room <= 0) {
    await new Promise((r) => setTimeout(r, 20));
    continue;
  }
  const calls: Promise<void>[] = [];
  for (let sent = 0; sent < room; sent += 10) calls.push(sendTen());
  await Promise.all(calls);
}
process.stdout.write(`${JSON.stringify({ sent: next })}\n`);

/**
 * Shared setup of the worker and CLI tests: an embedded server, queues on it, and
 * waiting on conditions (never fixed sleeps).
 */
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localClientConfig, startEmbeddedServer } from '../../lib/local/index.ts';
import type { EmbeddedServer } from '../../lib/local/index.ts';
import { perFile } from './per-file.ts';

/** An embedded server with an SQS client for it. */
export interface TestSqs {
  readonly server: EmbeddedServer;
  readonly sqs: SQSClient;
  stop(): Promise<void>;
}

/** Starts the embedded server on port 0 and builds a client for it. */
export async function startTestSqs(): Promise<TestSqs> {
  const server = await startEmbeddedServer({ port: 0 });
  const sqs = new SQSClient(localClientConfig(server));
  return {
    server,
    sqs,
    async stop() {
      sqs.destroy();
      await server.stop();
    },
  };
}

/**
 * For a test file: {@link startTestSqs} before its tests, `stop` after them. The server and
 * client are read through the returned object once `beforeAll` has run.
 */
export function useTestSqs(): Omit<TestSqs, 'stop'> {
  const current = perFile('useTestSqs', startTestSqs, (env) => env.stop());
  return {
    get server() {
      return current().server;
    },
    get sqs() {
      return current().sqs;
    },
  };
}

let queueCounter = 0;

/** Creates a uniquely named queue (`.fifo` when `FifoQueue` is `'true'`); returns its URL. */
export async function createQueue(sqs: SQSClient, attributes: Record<string, string> = {}, prefix = 'worker'): Promise<string> {
  queueCounter += 1;
  const name = `${prefix}-${process.pid}-${queueCounter}${attributes.FifoQueue === 'true' ? '.fifo' : ''}`;
  const result = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return result.QueueUrl!;
}

/** Sends bodies in batches of 10; returns the message ids in order. */
export async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < bodies.length; i += 10) {
    const chunk = bodies.slice(i, i + 10);
    const result = await sqs.send(new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: chunk.map((body, j) => ({ Id: `e${j}`, MessageBody: body })),
    }));
    const byId = new Map((result.Successful ?? []).map((s) => [s.Id, s.MessageId!]));
    chunk.forEach((_, j) => ids.push(byId.get(`e${j}`)!));
  }
  return ids;
}

/** Visible and in-flight message counts of a queue. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const result = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }));
  return {
    visible: Number(result.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(result.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** An SQS client for the embedded server that counts the calls it makes, by command name. */
export interface CountingClient {
  readonly client: SQSClient;
  /** Calls so far, e.g. `calls.DeleteMessageBatchCommand`. */
  readonly calls: Record<string, number>;
  /** Entries sent so far in batch calls, by command name. */
  readonly entries: Record<string, number>;
}

/** Builds a client for `server` whose every call is counted (see {@link CountingClient}). */
export function countingClient(server: EmbeddedServer): CountingClient {
  const client = new SQSClient(localClientConfig(server));
  const calls: Record<string, number> = {};
  const entries: Record<string, number> = {};
  client.middlewareStack.add((next, context) => async (args) => {
    const name = context.commandName ?? 'unknown';
    calls[name] = (calls[name] ?? 0) + 1;
    const input = args.input as { Entries?: unknown[] };
    if (Array.isArray(input.Entries)) entries[name] = (entries[name] ?? 0) + input.Entries.length;
    return next(args);
  }, { step: 'initialize', name: 'countCalls' });
  return { client, calls, entries };
}

export { waitFor } from './wait-for.ts';

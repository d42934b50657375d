/**
 * The worker's SQS calls besides deletes and heartbeats: the client, the queue's
 * attributes, long-poll receives and giving messages back.
 */
import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { SluiceError, toError } from '../../lambda/runtime/errors.ts';
import { LOCAL_CREDENTIALS, isLoopbackHost } from './embedded-server.ts';

/** The worker could not start: the queue is unreachable or does not exist. */
export class WorkerStartError extends SluiceError {
  constructor(message: string, options?: ErrorOptions) {
    super('WORKER_START', message, options);
  }
}

/** What the worker reads about its queue before polling. */
export interface QueueInfo {
  /** `eventSourceARN` of the records. */
  readonly queueArn: string;
  /** `awsRegion` of the records: the ARN's region, else the client's. */
  readonly region: string;
  /** The queue's `VisibilityTimeout`, in seconds. */
  readonly visibilityTimeoutSeconds: number;
}

/**
 * Builds the SQS client. A loopback `endpoint` without credentials in the environment
 * gets dummy ones, so a local run never looks for AWS credentials.
 */
export function createSqsClient(region: string, endpoint: string | undefined): SQSClient {
  const local = endpoint !== undefined && isLoopbackHost(new URL(endpoint).hostname);
  const useDummy = local && process.env.AWS_ACCESS_KEY_ID === undefined && process.env.AWS_PROFILE === undefined;
  return new SQSClient({
    region,
    ...(endpoint ? { endpoint } : {}),
    ...(useDummy ? { credentials: { ...LOCAL_CREDENTIALS } } : {}),
    maxAttempts: 3,
  });
}

/**
 * Reads the queue's ARN and visibility timeout.
 *
 * @throws {WorkerStartError} when the call fails (no such queue, unreachable endpoint)
 */
export async function readQueueInfo(client: SQSClient, queueUrl: string, fallbackRegion: string): Promise<QueueInfo> {
  try {
    const result = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn', 'VisibilityTimeout'] }));
    const queueArn = result.Attributes?.QueueArn ?? '';
    return {
      queueArn,
      region: queueArn.split(':')[3] || fallbackRegion,
      visibilityTimeoutSeconds: Number(result.Attributes?.VisibilityTimeout ?? 30),
    };
  } catch (thrown) {
    const error = toError(thrown);
    throw new WorkerStartError(`Cannot read the attributes of queue ${queueUrl}: ${error.name}: ${error.message}`, { cause: error });
  }
}

/** Settings of every receive. */
export interface ReceiveSettings {
  readonly queueUrl: string;
  readonly waitTimeSeconds: number;
  readonly visibilityTimeoutSeconds: number | undefined;
}

/** One long-poll `ReceiveMessage` asking for every system and message attribute. */
export async function receiveMessages(client: SQSClient, settings: ReceiveSettings, max: number, signal: AbortSignal): Promise<Message[]> {
  const result = await client.send(new ReceiveMessageCommand({
    QueueUrl: settings.queueUrl,
    MaxNumberOfMessages: max,
    WaitTimeSeconds: settings.waitTimeSeconds,
    AttributeNames: ['All'],
    MessageSystemAttributeNames: ['All'],
    MessageAttributeNames: ['All'],
    ...(settings.visibilityTimeoutSeconds !== undefined ? { VisibilityTimeout: settings.visibilityTimeoutSeconds } : {}),
  }), { abortSignal: signal });
  return result.Messages ?? [];
}

/**
 * Makes messages visible again at once (visibility timeout 0), e.g. ones received while
 * the worker was stopping.
 *
 * @returns the error name when the call failed, else `undefined`
 */
export async function releaseMessages(client: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<string | undefined> {
  try {
    await client.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((m, i) => ({ Id: `r${i}`, ReceiptHandle: m.ReceiptHandle ?? '', VisibilityTimeout: 0 })),
    }));
    return undefined;
  } catch (thrown) {
    return toError(thrown).name;
  }
}

/**
 * What a consumer reads about its queue before polling.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SluiceError, toError } from '../../lambda/runtime/index.ts';

/** A consumer could not start: the queue is unreachable or does not exist. */
export class WorkerStartError extends SluiceError {
  constructor(message: string, options?: ErrorOptions) {
    super('WORKER_START', message, options);
    this.name = 'WorkerStartError';
  }
}

/** What a consumer reads about its queue before polling. */
export interface QueueInfo {
  /** `eventSourceARN` of the records. */
  readonly queueArn: string;
  /** `awsRegion` of the records: the ARN's region, else the client's. */
  readonly region: string;
  /** The queue's `VisibilityTimeout`, in seconds. */
  readonly visibilityTimeoutSeconds: number;
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

/**
 * The environment contract `QueueConsumer` gives a Lambda function, reproduced for a
 * handler run by `sluice worker`: the runtime's own SQS calls (backoff, poison to the DLQ)
 * need the queue URL, the DLQ URL and — locally — the endpoint.
 */
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SLUICE_ENV } from '../../lambda/runtime/contract.ts';

/**
 * Reads the queue's redrive policy and returns the Sluice variables for its handler:
 * `SLUICE_QUEUE_URL`, `SLUICE_DLQ_URL` (when the queue has a DLQ) and
 * `SLUICE_SQS_ENDPOINT` (when the worker uses an endpoint of its own).
 *
 * @returns the variables; a DLQ that cannot be resolved is left out (poison then fails
 * plainly and the queue's redrive policy moves it), never guessed
 */
export async function workerRuntimeEnvironment(sqs: SQSClient, queueUrl: string, endpoint: string | undefined): Promise<Record<string, string>> {
  const env: Record<string, string> = { [SLUICE_ENV.QUEUE_URL]: queueUrl };
  if (endpoint !== undefined) env[SLUICE_ENV.SQS_ENDPOINT] = endpoint;
  try {
    const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }));
    const arn = Attributes.RedrivePolicy ? (JSON.parse(Attributes.RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn : undefined;
    const [, , , , account, name] = arn?.split(':') ?? [];
    if (name !== undefined && account !== undefined) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
      if (QueueUrl) env[SLUICE_ENV.DLQ_URL] = QueueUrl;
    }
  } catch {
    // No permission or no redrive policy: the handler runs without SLUICE_DLQ_URL.
  }
  return env;
}

/** Sets each variable that the process environment does not set already (explicit settings win). */
export function applyEnvironmentDefaults(env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) process.env[name] ??= value;
}

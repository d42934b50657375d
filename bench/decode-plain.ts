/**
 * The per-record decoding of the no-schema rows, what Sluice does by default without a
 * schema: unwrap the SNS envelope, parse the `Message`.
 */

type Envelope = { Type?: unknown; TopicArn?: unknown; MessageId?: unknown; Message?: unknown };

/** Unwraps the SNS envelope and parses its `Message`; throws on a bad envelope or bad JSON. */
export function decodePlain(body: string): unknown {
  const envelope = JSON.parse(body) as Envelope | null;
  if (
    envelope === null || typeof envelope !== 'object' || envelope.Type !== 'Notification' ||
    typeof envelope.TopicArn !== 'string' || typeof envelope.MessageId !== 'string' || typeof envelope.Message !== 'string'
  ) {
    throw new Error('not an SNS notification');
  }
  return JSON.parse(envelope.Message);
}

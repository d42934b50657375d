/**
 * The per-record work every non-Sluice row does by hand, mirroring what Sluice does:
 * unwrap the SNS envelope, parse the `Message`, validate it with the example handlers'
 * `zod/mini` schema through its Standard Schema interface.
 */
import { UserRegistered } from '../lib/example/handlers/user-schemas.ts';

type Envelope = { Type?: unknown; TopicArn?: unknown; MessageId?: unknown; Message?: unknown };

/** Decodes and validates one SQS body; throws on a bad envelope, bad JSON or a schema violation. */
export function decodeUser(body: string): UserRegistered {
  const envelope = JSON.parse(body) as Envelope | null;
  if (
    envelope === null || typeof envelope !== 'object' || envelope.Type !== 'Notification' ||
    typeof envelope.TopicArn !== 'string' || typeof envelope.MessageId !== 'string' || typeof envelope.Message !== 'string'
  ) {
    throw new Error('not an SNS notification');
  }
  const result = UserRegistered['~standard'].validate(JSON.parse(envelope.Message));
  if (result instanceof Promise) throw new TypeError('unexpected async schema');
  if (result.issues) throw new Error(`schema: ${result.issues.length} issue(s)`);
  return result.value;
}

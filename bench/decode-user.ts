/**
 * The per-record work every non-Sluice row does by hand, mirroring what Sluice does:
 * unwrap the SNS envelope, parse the `Message`, validate it with the example handlers'
 * `zod/mini` schema through its Standard Schema interface.
 */
import { UserRegistered } from '../lib/example/handlers/user-schemas.ts';
import { decodePlain } from './decode-plain.ts';

/** Decodes and validates one SQS body; throws on a bad envelope, bad JSON or a schema violation. */
export function decodeUser(body: string): UserRegistered {
  const result = UserRegistered['~standard'].validate(decodePlain(body));
  if (result instanceof Promise) throw new TypeError('unexpected async schema');
  if (result.issues) throw new Error(`schema: ${result.issues.length} issue(s)`);
  return result.value;
}

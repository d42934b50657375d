/**
 * `UserRegistered` in classic `zod` (what `@aws-lambda-powertools/parser`'s schemas are
 * built with), and the full SQS-record schema Powertools' batch parser validates:
 * record → JSON body (SNS envelope) → JSON `Message` (the user).
 */
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { SnsSqsNotificationSchema } from '@aws-lambda-powertools/parser/schemas/sns';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import { z } from 'zod';

const ISO_UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** The same rules as `lib/example/handlers/user-schemas.ts`, in classic zod. */
export const UserRegisteredClassic = z.object({
  type: z.literal('UserRegistered'),
  userId: z.string().min(1).max(128),
  email: z.email(),
  name: z.string().min(1).max(200),
  marketingOptIn: z.boolean().optional(),
  registeredAt: z.string().regex(ISO_UTC_TIMESTAMP),
});

/** An SQS record whose body is an SNS notification whose `Message` is a `UserRegistered`. */
export const UserRecordSchema = SqsRecordSchema.extend({
  body: JSONStringified(SnsSqsNotificationSchema.extend({ Message: JSONStringified(UserRegisteredClassic) })),
});

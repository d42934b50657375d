/**
 * Creates each newly registered user in the identity provider, once per user.
 *
 * Environment: `IDENTITY_API_URL`, the provider's base URL; `SLUICE_IDEMPOTENCY_TABLE`
 * (set by `QueueConsumer` with `idempotency`). A user whose registration completed before
 * (a redelivery, or another message for the same user) is not posted again; a 409 (the
 * user exists already) still counts as done. Other 4xx are permanent, 5xx and timeouts
 * transient.
 */
import { dynamoDbStore } from '../../../lambda/idempotency/index.ts';
import { ConfigError, retryPolicy, sqsHandler } from '../../../lambda/runtime/index.ts';
import { postJson } from './http.ts';
import { UserRegistered } from './user-schemas.ts';

function identityApiUrl(): string {
  const url = process.env.IDENTITY_API_URL;
  if (!url) throw new ConfigError(['IDENTITY_API_URL: not set; allowed: the identity provider base URL']);
  return url.replace(/\/+$/, '');
}

export const handler = sqsHandler({
  schema: UserRegistered,
  concurrency: 10,
  retry: retryPolicy({
    // 5xx and timeouts: wait 2 s, 4 s, 8 s … (full jitter, at most 5 min) instead of the queue's visibility timeout.
    backoff: { baseSeconds: 2, maxSeconds: 300 },
    // Poison (schema violations, 4xx) goes straight to the consumer's DLQ (SLUICE_DLQ_URL).
    deadLetter: 'auto',
    // While the identity provider is down, stop hammering it: skip records for 10 s after 20 failures in a row.
    circuitBreaker: { failureThreshold: 20, cooldownMs: 10_000 },
  }),
  // Exactly once per user across deliveries: keys claimed in the consumer's DynamoDB table (SLUICE_IDEMPOTENCY_TABLE).
  idempotency: { store: dynamoDbStore(), key: (user) => user.userId },
  async handle(user, ctx) {
    await postJson(`${identityApiUrl()}/users`, {
      id: user.userId,
      email: user.email,
      name: user.name,
    }, { signal: ctx.signal, acceptStatuses: [409] });
  },
});

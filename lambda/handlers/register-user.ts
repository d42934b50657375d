/**
 * Creates each newly registered user in the identity provider.
 *
 * Environment: `IDENTITY_API_URL`, the provider's base URL. A 409 (the user exists
 * already, e.g. a redelivered message) counts as done; other 4xx are permanent, 5xx and
 * timeouts transient.
 */
import { ConfigError, sqsHandler } from '../runtime/index.ts';
import { postJson } from './http.ts';
import { UserRegistered } from './schemas.ts';

function identityApiUrl(): string {
  const url = process.env.IDENTITY_API_URL;
  if (!url) throw new ConfigError(['IDENTITY_API_URL: not set; allowed: the identity provider base URL']);
  return url.replace(/\/+$/, '');
}

export const handler = sqsHandler({
  schema: UserRegistered,
  concurrency: 10,
  async handle(user, ctx) {
    await postJson(`${identityApiUrl()}/users`, {
      id: user.userId,
      email: user.email,
      name: user.name,
    }, { signal: ctx.signal, acceptStatuses: [409] });
  },
});

/**
 * What the comparison handlers do per valid user, exactly like `register-user`: POST it
 * to `${IDENTITY_API_URL}/users` through the same `postJson` (node:http), 2xx or 409 is
 * done, anything else throws. Sharing the client keeps the rows about the frameworks.
 */
import { postJson } from '../../lib/example/handlers/http.ts';
import type { UserRegistered } from '../../lib/example/handlers/user-schemas.ts';

const never = new AbortController().signal;

export async function postUser(user: UserRegistered): Promise<void> {
  const base = (process.env.IDENTITY_API_URL ?? '').replace(/\/+$/, '');
  if (!base) throw new Error('IDENTITY_API_URL not set');
  await postJson(`${base}/users`, { id: user.userId, email: user.email, name: user.name }, { signal: never, acceptStatuses: [409] });
}

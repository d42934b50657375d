/**
 * What the comparison handlers do per valid user, like `register-user`: POST it to
 * `${IDENTITY_API_URL}/users` with plain `fetch`; 2xx or 409 is done, anything else throws.
 */
import type { UserRegistered } from '../../lambda/handlers/user-schemas.ts';

export async function postUser(user: UserRegistered): Promise<void> {
  const base = (process.env.IDENTITY_API_URL ?? '').replace(/\/+$/, '');
  if (!base) throw new Error('IDENTITY_API_URL not set');
  const response = await fetch(`${base}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: user.userId, email: user.email, name: user.name }),
    signal: AbortSignal.timeout(5000),
  });
  await response.body?.cancel();
  if (!response.ok && response.status !== 409) throw new Error(`POST /users answered ${response.status}`);
}

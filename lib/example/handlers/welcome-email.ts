/**
 * Sends a welcome email to each new user who opted in to marketing (the subscription's
 * filter policy delivers only those).
 *
 * Environment: `EMAIL_API_URL`, optional; without it the email is rendered and logged
 * by id only (useful locally).
 */
import { retryPolicy, sqsHandler } from '../../../lambda/runtime/index.ts';
import { postJson } from './http.ts';
import { UserRegistered } from './user-schemas.ts';

export const handler = sqsHandler({
  schema: UserRegistered,
  concurrency: 20,
  retry: retryPolicy({ backoff: { baseSeconds: 5, maxSeconds: 600 }, deadLetter: 'auto' }),
  async handle(user, ctx) {
    const email = {
      to: user.email,
      subject: `Welcome, ${user.name}!`,
      text: `Hi ${user.name}, thanks for signing up.`,
    };
    const url = process.env.EMAIL_API_URL;
    if (!url) {
      ctx.logger.debug('Welcome email rendered (no EMAIL_API_URL set)', { messageId: ctx.messageId, userId: user.userId });
      return;
    }
    await postJson(`${url.replace(/\/+$/, '')}/emails`, email, { signal: ctx.signal });
  },
});

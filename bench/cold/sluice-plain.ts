/**
 * Cold-start comparison, no schema and no I/O: a Sluice handler as a user writes one with
 * the defaults (SNS envelope unwrapped, JSON body parsed, the default JSON-lines logger),
 * whose `handle` does nothing. It carries neither retry nor idempotency.
 */
import { sqsHandler } from '../../lambda/runtime/index.ts';

export const handler = sqsHandler({
  async handle() {},
});

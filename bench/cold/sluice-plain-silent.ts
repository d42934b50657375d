/**
 * Cold-start comparison, informational: the no-schema Sluice handler with `logger: false`,
 * doing the peers' work (they write no log line). The default row writes two JSON lines
 * (the poison's warn line and the batch line); the difference between the two rows is
 * what those lines cost a cold process.
 */
import { sqsHandler } from '../../lambda/runtime/index.ts';

export const handler = sqsHandler({
  logger: false,
  async handle() {},
});

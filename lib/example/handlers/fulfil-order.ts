/**
 * Fulfils orders from the FIFO `orders` queue: the steps of one order (its message
 * group) arrive strictly in order; different orders run in parallel.
 *
 * Environment: `FULFILMENT_API_URL`, optional; without it each step is only checked
 * against the previous one seen by this execution environment.
 */
import { PermanentError, retryPolicy, sqsHandler } from '../../../lambda/runtime/index.ts';
import { postJson } from './http.ts';
import { OrderEvent } from './order-schemas.ts';

/** Last step seen per order in this execution environment (bounded). */
const lastSequence = new Map<string, number>();
const MAX_TRACKED_ORDERS = 10_000;

export const handler = sqsHandler({
  schema: OrderEvent,
  fifo: true,
  onGroupFailure: 'skip-group',
  concurrency: 10,
  // A failed step delays its whole order (group) by the backoff; poison leaves the group for the DLQ.
  retry: retryPolicy({ backoff: { baseSeconds: 1, maxSeconds: 60 }, deadLetter: 'auto' }),
  async handle(order, ctx) {
    const previous = lastSequence.get(order.orderId);
    if (previous !== undefined && order.sequence < previous) {
      throw new PermanentError(`Order ${order.orderId}: step ${order.sequence} arrived after step ${previous}`);
    }
    const url = process.env.FULFILMENT_API_URL;
    if (url) await postJson(`${url.replace(/\/+$/, '')}/orders/${encodeURIComponent(order.orderId)}/${order.step}`, order, { signal: ctx.signal });
    if (lastSequence.size >= MAX_TRACKED_ORDERS) lastSequence.delete(lastSequence.keys().next().value!);
    lastSequence.set(order.orderId, order.sequence);
  },
});

/**
 * Schemas of the order events (FIFO `orders` topic), in `zod/mini`.
 */
import * as z from 'zod/mini';

/** A step of an order's life; steps of one order arrive in order (FIFO, group = order id). */
export const OrderEvent = z.object({
  orderId: z.string().check(z.minLength(1), z.maxLength(128)),
  step: z.enum(['placed', 'paid', 'shipped']),
  sequence: z.number().check(z.int(), z.nonnegative()),
  amountCents: z.optional(z.number().check(z.int(), z.nonnegative())),
});
export type OrderEvent = z.infer<typeof OrderEvent>;

/**
 * The load run's Lambda function (bundled for the emulator): `sqsHandler` that parses
 * each `{"n":…}` body and succeeds.
 */
import { sqsHandler } from '../lambda/runtime/index.ts';

/** Succeeds on every record. */
export const handler = sqsHandler<{ n: number }>({ logger: false, async handle() {} });

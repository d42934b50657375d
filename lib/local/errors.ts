/**
 * Errors of the local runtime: a bad local setting, an app the embedded services cannot
 * hold, a local service that did not start.
 */
import { SluiceError } from '../../lambda/runtime/index.ts';

/** The local runtime cannot do what was asked (code `LOCAL_RUNTIME`); the message says what and why. */
export class LocalRuntimeError extends SluiceError {
  constructor(message: string, options?: ErrorOptions) {
    super('LOCAL_RUNTIME', message, options);
    this.name = 'LocalRuntimeError';
  }
}

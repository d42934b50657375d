/**
 * Errors of reading a cloud assembly into the app model.
 */
import { SluiceError } from '../../../lambda/runtime/index.ts';

/** The cloud assembly holds something the local runtime cannot model (code `APP_MODEL`). */
export class AppModelError extends SluiceError {
  constructor(message: string, options?: ErrorOptions) {
    super('APP_MODEL', message, options);
    this.name = 'AppModelError';
  }
}

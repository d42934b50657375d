/**
 * Refuses URLs that point outside the machine.
 */
import { SluiceError } from '../../lambda/runtime/index.ts';
import { isLoopbackHost } from './loopback.ts';

/** A URL that is not on loopback was given where only a local address is allowed. */
export class LoopbackError extends SluiceError {
  constructor(message: string) {
    super('NOT_LOOPBACK', message);
    this.name = 'LoopbackError';
  }
}

/**
 * Throws unless `url` is a URL whose host is a loopback address.
 *
 * @throws {LoopbackError} naming the URL when it is not a URL or points anywhere else.
 */
export function assertLoopbackUrl(url: string): void {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new LoopbackError(`Not a URL: '${url}'.`);
  }
  if (!isLoopbackHost(host)) {
    throw new LoopbackError(`Local runtime refuses a non-loopback address: '${url}' (allowed: 127.0.0.0/8, ::1, localhost).`);
  }
}

/**
 * The loopback checks behind the local runtime's rule: it never sends traffic outside
 * 127.0.0.0/8 (or `::1`). No imports beyond `node:net`, so a Lambda worker can load it.
 */
import { isIP } from 'node:net';

/** Whether `host` is `localhost`, `::1` or an IPv4 address in 127.0.0.0/8. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/**
 * Throws unless `url` is a URL whose host is a loopback address.
 *
 * @throws Error naming the URL when it points anywhere else.
 */
export function assertLoopbackUrl(url: string): void {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new Error(`Not a URL: '${url}'.`);
  }
  if (!isLoopbackHost(host)) {
    throw new Error(`Local runtime refuses a non-loopback address: '${url}' (allowed: 127.0.0.0/8, ::1, localhost).`);
  }
}

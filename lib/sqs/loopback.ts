/**
 * The loopback check behind the local runtime's rule: it never sends traffic outside
 * 127.0.0.0/8 (or `::1`). Imports only `node:net`, so the emulator's execution
 * environment thread can load this file alone (the one direct import into this room
 * from outside; see the README's Layout section).
 */
import { isIP } from 'node:net';

/** Whether `host` is `localhost`, `::1` or an IPv4 address in 127.0.0.0/8. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/**
 * The address rules of Sluice's embedded servers: they listen on loopback only, and say
 * where they listen as a base URL.
 */
import type { AddressInfo } from 'node:net';
import { isLoopbackHost } from '../sqs/index.ts';
import { LocalRuntimeError } from './errors.ts';

/**
 * Checks a listen host and port.
 *
 * @param what - the server, for the message (e.g. `Embedded DynamoDB`).
 * @throws {LocalRuntimeError} when the host is not a loopback address or the port is not 0..65535.
 */
export function checkListenAddress(what: string, host: string, port: number): void {
  if (!isLoopbackHost(host)) {
    throw new LocalRuntimeError(`${what} host must be a loopback address (127.0.0.0/8, ::1 or localhost); received '${host}'.`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new LocalRuntimeError(`${what} port must be an integer 0..65535; received ${String(port)}.`);
  }
}

/** `http://host:port` of a bound address (IPv6 hosts bracketed). */
export function baseUrlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * Lambda's synchronous invocation payload limit (6 MB for the request and for the
 * response; Lambda rejects a request of 6,291,456 bytes or more) and the sizes the event
 * source mapping emulator measures against it.
 */

/** Largest invocation request or response payload, in bytes (6 MiB). */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** UTF-8 bytes of `JSON.stringify(value)`; 0 when the value has no JSON form. */
export function payloadBytes(value: unknown): number {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? 0 : Buffer.byteLength(json);
  } catch {
    return 0;
  }
}

/** Bytes of `{"Records":[…]}` around records of the given JSON sizes (commas included). */
export function eventBytes(recordBytes: readonly number[]): number {
  const wrapper = Buffer.byteLength('{"Records":[]}');
  return wrapper + recordBytes.reduce((n, b) => n + b, 0) + Math.max(0, recordBytes.length - 1);
}

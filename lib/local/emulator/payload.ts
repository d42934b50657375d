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

/**
 * Gathers a batch in order until it holds `maxItems` or the next item would take the
 * event over {@link MAX_PAYLOAD_BYTES}. A first item always fits (a single record over
 * the limit is sent alone, and Lambda's own limit then decides).
 */
export class BatchBuilder<T> {
  /** The batch so far. */
  readonly items: T[] = [];
  readonly #sizes: number[] = [];
  readonly #maxItems: number;
  readonly #sizeOf: (item: T) => number;
  #cut = false;

  /**
   * @param maxItems - the batch size.
   * @param sizeOf - the JSON size of one item as a record of the event.
   */
  constructor(maxItems: number, sizeOf: (item: T) => number) {
    this.#maxItems = maxItems;
    this.#sizeOf = sizeOf;
  }

  /** Whether items were left out (the batch is full or at the payload limit). */
  get cut(): boolean { return this.#cut; }
  /** Whether the batch holds `maxItems`. */
  get full(): boolean { return this.items.length >= this.#maxItems; }

  /**
   * Adds `items` in order while they fit.
   *
   * @returns the items that did not fit, in order.
   */
  add(items: readonly T[]): T[] {
    for (const [i, item] of items.entries()) {
      const size = this.#sizeOf(item);
      if (this.full || (this.items.length > 0 && eventBytes([...this.#sizes, size]) > MAX_PAYLOAD_BYTES)) {
        this.#cut = true;
        return items.slice(i);
      }
      this.items.push(item);
      this.#sizes.push(size);
    }
    return [];
  }
}

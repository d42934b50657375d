/**
 * The SQS side of one event source mapping emulator: receives, deletes and releases on
 * its queue (through lib/sqs), with the count of messages received and not yet settled.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { EmbeddedServer } from '../index.ts';
import { localClientConfig } from '../index.ts';
import { deleteMessages, receiveMessages, releaseMessages } from '../../sqs/index.ts';
import type { DeleteTarget } from '../../sqs/index.ts';
import { EmulatorSqsError } from './emulator-events.ts';

/** The emulator's SQS operations, for error reports. */
export type SqsOperation = 'receive' | 'delete' | 'release';

/** One mapping's queue. */
export class MappingQueue {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #onError: (error: Error, operation: SqsOperation) => void;
  #inFlight = 0;

  constructor(server: Pick<EmbeddedServer, 'endpoint' | 'region'>, queueUrl: string, onError: (error: Error, operation: SqsOperation) => void) {
    this.#sqs = new SQSClient(localClientConfig(server));
    this.#queueUrl = queueUrl;
    this.#onError = onError;
  }

  /** Messages received and not yet deleted, left for their visibility timeout, or released. */
  get inFlight(): number { return this.#inFlight; }

  /** One receive of up to `max` messages; `undefined` when the call failed (after a short pause). */
  async receive(max: number, waitTimeSeconds: number): Promise<Message[] | undefined> {
    try {
      const messages = await receiveMessages(this.#sqs, { queueUrl: this.#queueUrl, waitTimeSeconds }, max);
      this.#inFlight += messages.length;
      return messages;
    } catch (error) {
      this.#onError(asError(error), 'receive');
      // Pace retries against a failing server (e.g. while it stops).
      await new Promise((r) => setTimeout(r, 250));
      return undefined;
    }
  }

  /** Messages left to come back after their visibility timeout: no longer in flight here. */
  leave(count: number): void {
    this.#inFlight -= count;
  }

  /** Deletes `targets`; false when any delete failed (those come back after their visibility timeout). */
  delete(targets: readonly DeleteTarget[]): Promise<boolean> {
    return this.#settle('delete', targets.length, async () => {
      const { failed } = await deleteMessages(this.#sqs, this.#queueUrl, targets);
      if (failed.length > 0) throw new EmulatorSqsError(`${failed.length} of ${targets.length} deletes failed`);
    });
  }

  /** Makes received messages visible again at once. */
  async release(messages: readonly Message[]): Promise<void> {
    const handles = messages.map((m) => m.ReceiptHandle ?? '');
    await this.#settle('release', handles.length, async () => {
      const code = await releaseMessages(this.#sqs, this.#queueUrl, handles);
      if (code !== undefined) throw new EmulatorSqsError(`release of ${handles.length} messages failed: ${code}`);
    });
  }

  /** Closes the client. */
  destroy(): void {
    this.#sqs.destroy();
  }

  /** Runs a call that settles `count` messages; they leave the in-flight count either way. */
  async #settle(operation: SqsOperation, count: number, call: () => Promise<void>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (error) {
      this.#onError(asError(error), operation);
      return false;
    } finally {
      this.#inFlight -= count;
    }
  }
}

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new EmulatorSqsError(String(thrown));
}

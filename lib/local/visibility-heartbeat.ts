/**
 * Extends the visibility timeout of messages while their work runs, so a slow handler
 * does not see its messages delivered to another consumer.
 */
import { ChangeMessageVisibilityBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { toError } from '../../lambda/runtime/errors.ts';
import type { SluiceLogger } from '../../lambda/runtime/types.ts';

interface Entry {
  readonly messageId: string;
  readonly receiptHandle: string;
  /** Epoch milliseconds at which the entry is renewed next. */
  extendAt: number;
}

/** Settings of a {@link VisibilityHeartbeat}. */
export interface HeartbeatOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** The timeout each renewal sets, in seconds; renewals happen at half of it. */
  readonly visibilityTimeoutSeconds: number;
  readonly logger: SluiceLogger;
  /** Called with the number of messages each successful renewal extended. */
  readonly onExtended: (count: number) => void;
}

/** The messages of one batch, as the heartbeat tracks them. */
export interface TrackedBatch {
  /** Stops extending a message whose work settled. */
  settle(messageId: string): void;
  /** Stops extending every message of the batch. */
  release(): void;
}

/**
 * One heartbeat per worker: a timer checks tracked messages and, when half their
 * visibility timeout has passed, renews it with `ChangeMessageVisibilityBatch`
 * (10 entries per call). A failed renewal is logged; the message may then be delivered
 * again after its timeout, which at-least-once handlers must tolerate anyway.
 */
export class VisibilityHeartbeat {
  private readonly entries = new Map<string, Entry>();
  private readonly timer: NodeJS.Timeout;
  private readonly halfMs: number;
  private ticking = false;

  private readonly options: HeartbeatOptions;

  constructor(options: HeartbeatOptions) {
    this.options = options;
    this.halfMs = (options.visibilityTimeoutSeconds * 1000) / 2;
    const tickMs = Math.min(1000, Math.max(50, this.halfMs / 4));
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref();
  }

  /** Starts tracking the messages of a batch received at `receivedAt` (epoch ms). */
  track(messages: readonly { messageId: string; receiptHandle: string }[], receivedAt = Date.now()): TrackedBatch {
    const handles: string[] = [];
    for (const m of messages) {
      this.entries.set(m.receiptHandle, { messageId: m.messageId, receiptHandle: m.receiptHandle, extendAt: receivedAt + this.halfMs });
      handles.push(m.receiptHandle);
    }
    return {
      settle: (messageId) => {
        for (const h of handles) if (this.entries.get(h)?.messageId === messageId) this.entries.delete(h);
      },
      release: () => {
        for (const h of handles) this.entries.delete(h);
      },
    };
  }

  /** Stops the timer; tracked messages are no longer extended. */
  stop(): void {
    clearInterval(this.timer);
    this.entries.clear();
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    const now = Date.now();
    const due = [...this.entries.values()].filter((e) => e.extendAt <= now);
    if (due.length === 0) return;
    this.ticking = true;
    try {
      for (let i = 0; i < due.length; i += 10) await this.extend(due.slice(i, i + 10));
    } finally {
      this.ticking = false;
    }
  }

  private async extend(batch: Entry[]): Promise<void> {
    const { client, queueUrl, visibilityTimeoutSeconds, logger, onExtended } = this.options;
    const sentAt = Date.now();
    try {
      const result = await client.send(new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((e, j) => ({ Id: `v${j}`, ReceiptHandle: e.receiptHandle, VisibilityTimeout: visibilityTimeoutSeconds })),
      }));
      const failed = new Set((result.Failed ?? []).map((f) => f.Id));
      let extended = 0;
      batch.forEach((e, j) => {
        if (failed.has(`v${j}`)) return;
        e.extendAt = sentAt + this.halfMs;
        extended++;
      });
      if (extended > 0) onExtended(extended);
      if (failed.size > 0) logger.warn('Visibility extension failed for some messages', { failed: failed.size });
    } catch (thrown) {
      logger.warn('ChangeMessageVisibilityBatch call failed', { entries: batch.length, error: toError(thrown).name });
    }
  }
}

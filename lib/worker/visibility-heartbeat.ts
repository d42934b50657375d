/**
 * Keeps the messages the worker holds invisible (handler running, or settled and waiting
 * for their delete) by renewing their visibility timeout, within SQS's 12-hour limit.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { MAX_VISIBILITY_TIMEOUT_SECONDS } from '../../lambda/runtime/contract.ts';
import type { SluiceLogger } from '../../lambda/runtime/index.ts';
import { changeVisibility } from '../sqs/index.ts';

/**
 * Renewals stop this long before SQS's limit of 12 h per receive, so that latency between
 * the receive and a renewal never makes SQS reject the last one.
 */
export const VISIBILITY_LIMIT_MARGIN_SECONDS = 10;

/** Longest pause between renewal attempts of a message whose renewals keep failing. */
export const MAX_RENEWAL_BACKOFF_MS = 30_000;

/** Codes saying the receipt handle can never be renewed again (deleted, expired, received anew). */
const GONE_CODES = new Set(['ReceiptHandleIsInvalid', 'MessageNotInflight']);

function isGone(code: string): boolean {
  return GONE_CODES.has(code.replace(/^AWS\.SimpleQueueService\./, ''));
}

interface Entry {
  readonly messageId: string;
  readonly receiptHandle: string;
  /** Epoch ms after which SQS would refuse to keep the message invisible (12 h limit, less the margin). */
  readonly holdUntil: number;
  /** Epoch ms at which the entry is renewed next. */
  extendAt: number;
  /** Renewals that failed in a row. */
  failures: number;
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
  /** Stops extending a message (its handler failed), so it is received again after its timeout. */
  drop(messageId: string): void;
  /** Stops extending every message of the batch (its successes are deleted, the rest dropped). */
  release(): void;
}

/**
 * One heartbeat per worker: a timer checks tracked messages and, when half their
 * visibility timeout has passed, renews it with `ChangeMessageVisibilityBatch`
 * (10 entries per call, the messages of one batch due together).
 *
 * - No renewal holds a message past 12 h from the receive that returned it (SQS rejects
 *   those): the last one sets only the time left, then the message is no longer renewed.
 * - A renewal answered `ReceiptHandleIsInvalid` or `MessageNotInflight` stops renewing
 *   that message: its handle is gone for good.
 * - Other failures (throttling, network) retry with an exponential backoff from one tick
 *   up to half the timeout or {@link MAX_RENEWAL_BACKOFF_MS}, whichever is less, instead of
 *   every tick. A message whose renewals keep failing may be delivered again after its
 *   timeout, which at-least-once handlers must tolerate anyway.
 */
export class VisibilityHeartbeat {
  private readonly entries = new Map<string, Entry>();
  private readonly timer: NodeJS.Timeout;
  private readonly halfMs: number;
  private readonly tickMs: number;
  private readonly maxBackoffMs: number;
  private ticking = false;

  private readonly options: HeartbeatOptions;

  constructor(options: HeartbeatOptions) {
    this.options = options;
    this.halfMs = (options.visibilityTimeoutSeconds * 1000) / 2;
    this.tickMs = Math.min(1000, Math.max(50, this.halfMs / 4));
    this.maxBackoffMs = Math.max(this.tickMs, Math.min(MAX_RENEWAL_BACKOFF_MS, this.halfMs));
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  /**
   * Starts tracking the messages of a batch.
   *
   * @param receiveStartedAt - epoch ms at which the `ReceiveMessage` that returned them was
   *   sent: the earliest the 12 h limit can have started
   */
  track(messages: readonly { messageId: string; receiptHandle: string }[], receiveStartedAt = Date.now()): TrackedBatch {
    const now = Date.now();
    const holdUntil = receiveStartedAt + (MAX_VISIBILITY_TIMEOUT_SECONDS - VISIBILITY_LIMIT_MARGIN_SECONDS) * 1000;
    const handles: string[] = [];
    for (const m of messages) {
      this.entries.set(m.receiptHandle, { messageId: m.messageId, receiptHandle: m.receiptHandle, holdUntil, extendAt: now + this.halfMs, failures: 0 });
      handles.push(m.receiptHandle);
    }
    return {
      drop: (messageId) => {
        for (const h of handles) if (this.entries.get(h)?.messageId === messageId) this.entries.delete(h);
      },
      release: () => {
        for (const h of handles) this.entries.delete(h);
      },
    };
  }

  /** Messages being renewed now. */
  get tracked(): number {
    return this.entries.size;
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
      await this.renew(due, now);
    } finally {
      this.ticking = false;
    }
  }

  private async renew(due: Entry[], now: number): Promise<void> {
    const { client, queueUrl, visibilityTimeoutSeconds, logger, onExtended } = this.options;
    const planned: { entry: Entry; seconds: number }[] = [];
    let limited = 0;
    for (const entry of due) {
      const seconds = Math.min(visibilityTimeoutSeconds, Math.floor((entry.holdUntil - now) / 1000));
      if (seconds >= 1) planned.push({ entry, seconds });
      else {
        this.entries.delete(entry.receiptHandle);
        limited++;
      }
    }
    const results = planned.length === 0 ? [] : await changeVisibility(
      client, queueUrl, planned.map((p) => ({ receiptHandle: p.entry.receiptHandle, visibilityTimeoutSeconds: p.seconds })),
    );
    const after = Date.now();
    let extended = 0;
    let gone = 0;
    const failedCodes = new Set<string>();
    let failed = 0;
    let retryInMs = 0;
    results.forEach((result, i) => {
      const { entry, seconds } = planned[i]!;
      if (this.entries.get(entry.receiptHandle) !== entry) return; // released while the call ran
      if (result.ok) {
        extended++;
        entry.failures = 0;
        entry.extendAt = now + (seconds * 1000) / 2;
        // The time left was less than a full timeout: this was the last renewal SQS allows.
        if (seconds < visibilityTimeoutSeconds) {
          this.entries.delete(entry.receiptHandle);
          limited++;
        }
      } else if (isGone(result.code)) {
        this.entries.delete(entry.receiptHandle);
        gone++;
        failedCodes.add(result.code);
      } else {
        entry.failures++;
        const backoffMs = Math.min(this.maxBackoffMs, this.tickMs * 2 ** (entry.failures - 1));
        entry.extendAt = after + backoffMs;
        retryInMs = Math.max(retryInMs, backoffMs);
        failed++;
        failedCodes.add(result.code);
      }
    });
    if (extended > 0) onExtended(extended);
    if (limited > 0) {
      logger.warn('Visibility no longer extended: messages reached the 12 h limit of SQS and are delivered again when it ends', { messages: limited });
    }
    if (gone > 0 || failed > 0) {
      logger.warn('Visibility extension failed', {
        stopped: gone, retrying: failed, codes: [...failedCodes], ...(failed > 0 ? { retryInMs } : {}),
      });
    }
  }
}

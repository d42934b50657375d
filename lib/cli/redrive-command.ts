/**
 * `sluice redrive`: moves messages from a dead-letter queue back to their source queue
 * (delegates to `redrive` in `lib/local/redrive.ts`).
 */
import { RedriveTargetError, redrive } from '../redrive/index.ts';
import { createSqsClient } from '../sqs/index.ts';
import { EXIT, UsageError, intFlag, stringFlag, urlFlag } from './args.ts';
import type { CommandSpec } from './args.ts';

/** `sluice redrive --dlq <url> [flags]`. */
export const redriveCommand: CommandSpec = {
  name: 'redrive',
  summary: 'Move messages from a dead-letter queue back to their source queue',
  usage: 'sluice redrive --dlq <url> [--to <url>] [--endpoint <url>] [--max <n>] [--dry-run]',
  flags: {
    dlq: { type: 'string', value: 'url', required: true, description: 'Dead-letter queue to drain' },
    to: {
      type: 'string', value: 'url', description: 'Queue to send every message to',
      default: "each message's source queue (Sluice's source attribute, else the DLQ's only source)",
    },
    endpoint: { type: 'string', value: 'url', description: 'SQS endpoint, e.g. a local server', default: 'AWS for the region' },
    region: { type: 'string', value: 'region', description: 'SQS region', default: '$AWS_REGION, else us-east-1' },
    max: { type: 'string', value: 'n', description: 'Messages to move at most', default: 'all' },
    'dry-run': { type: 'boolean', description: 'Count what would move; move nothing' },
  },
  examples: [
    'sluice redrive --dlq http://127.0.0.1:4566/000000000000/register-user-dlq --endpoint http://127.0.0.1:4566 --dry-run',
    'sluice redrive --dlq https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq.fifo --max 100',
  ],
  async run(values, _positionals, output) {
    const dlqUrl = urlFlag(values, 'dlq')!;
    const to = urlFlag(values, 'to');
    const max = intFlag(values, 'max', 1, 1_000_000);
    const sqs = createSqsClient(stringFlag(values, 'region') ?? process.env.AWS_REGION ?? 'us-east-1', urlFlag(values, 'endpoint'));
    try {
      const summary = await redrive({
        sqs, dlqUrl, dryRun: values['dry-run'] === true,
        ...(to !== undefined ? { to } : {}), ...(max !== undefined ? { max } : {}),
      });
      const verb = summary.dryRun ? 'would move' : 'moved';
      const moved = summary.dryRun ? summary.received : summary.moved;
      output.out(`${verb} ${moved} of ${summary.received} message(s); failed ${summary.failed}; unroutable ${summary.unroutable}`);
      for (const [target, count] of Object.entries(summary.byTarget)) output.out(`  ${count} → ${target}`);
      return summary.failed + summary.unroutable === 0 ? EXIT.ok : EXIT.failure;
    } catch (error) {
      if (error instanceof RedriveTargetError) throw new UsageError(error.message);
      throw error;
    } finally {
      sqs.destroy();
    }
  },
};

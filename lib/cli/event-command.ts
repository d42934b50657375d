/**
 * `sluice event sqs|sns|fifo`: prints a fixture event with the exact AWS shape, built
 * with the runtime's testing builders (like `sam local generate-event`).
 */
import { fifoEvent, snsEnvelope, sqsEvent } from '../../lambda/runtime/testing.ts';
import type { SqsRecordInit } from '../../lambda/runtime/testing.ts';
import type { SqsEvent } from '../../lambda/runtime/index.ts';
import { AWS_LIMITS } from '../../lambda/runtime/contract.ts';
import { EXIT, UsageError, intFlag, stringFlag } from './args.ts';
import type { CommandSpec, FlagValues } from './args.ts';

const KINDS = ['sqs', 'sns', 'fifo'] as const;
type Kind = (typeof KINDS)[number];

function attributesOf(values: FlagValues): Record<string, string> {
  const raw = values['attribute'];
  const list = Array.isArray(raw) ? raw : [];
  const attributes: Record<string, string> = {};
  for (const pair of list) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--attribute must be name=value; received '${pair}'`);
    attributes[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return attributes;
}

/** Builds the event of one kind from the parsed flags. */
export function buildEvent(kind: Kind, values: FlagValues): SqsEvent {
  const count = intFlag(values, 'count', 1, kind === 'fifo' ? AWS_LIMITS.maxFifoBatchSize : AWS_LIMITS.maxStandardBatchSize) ?? 1;
  const body = stringFlag(values, 'body') ?? '{}';
  const queueArn = stringFlag(values, 'queue-arn');
  const attributes = attributesOf(values);
  const base = (): SqsRecordInit => ({ ...(queueArn ? { queueArn } : {}) });
  if (kind === 'fifo') {
    const groupsRaw = values['group'];
    const groups = Array.isArray(groupsRaw) && groupsRaw.length > 0 ? groupsRaw : ['group-1'];
    return fifoEvent(Array.from({ length: count }, (_, i) => ({
      ...base(), body, groupId: groups[i % groups.length]!, messageAttributes: attributes,
    })));
  }
  if (kind === 'sns') {
    const topicArn = stringFlag(values, 'topic-arn');
    const subject = stringFlag(values, 'subject');
    return sqsEvent(Array.from({ length: count }, () => ({
      ...base(),
      body: snsEnvelope(body, { ...(topicArn ? { topicArn } : {}), ...(subject ? { subject } : {}), messageAttributes: attributes }),
    })));
  }
  return sqsEvent(Array.from({ length: count }, () => ({ ...base(), body, messageAttributes: attributes })));
}

/** `sluice event <sqs|sns|fifo> [flags]`. */
export const eventCommand: CommandSpec = {
  name: 'event',
  summary: 'Print a fixture SQS event (plain, SNS-wrapped or FIFO) with the exact Lambda shape',
  usage: 'sluice event <sqs|sns|fifo> [flags]',
  positionals: [{ name: 'sqs|sns|fifo', description: 'sqs: plain bodies; sns: bodies are SNS envelopes; fifo: a .fifo queue with group ids' }],
  flags: {
    body: { type: 'string', value: 'text', description: 'Body of every record (the SNS Message for sns)', default: '{}' },
    count: { type: 'string', value: 'n', description: `Records in the event (fifo: at most ${AWS_LIMITS.maxFifoBatchSize})`, default: '1' },
    group: { type: 'string', value: 'id', multiple: true, description: 'fifo: message group id; several are used in turn', default: 'group-1' },
    'queue-arn': { type: 'string', value: 'arn', description: 'eventSourceARN of the records', default: 'arn:aws:sqs:us-east-1:123456789012:sluice-test (+ .fifo)' },
    'topic-arn': { type: 'string', value: 'arn', description: 'sns: TopicArn of the envelopes', default: 'arn:aws:sns:us-east-1:123456789012:sluice-test' },
    subject: { type: 'string', value: 'text', description: 'sns: Subject of the envelopes', default: 'none' },
    attribute: { type: 'string', value: 'name=value', multiple: true, description: 'A String message attribute (SNS MessageAttributes for sns)' },
  },
  examples: [
    'sluice event sqs --body \'{"userId":"u-1","email":"a@example.com","name":"Ada"}\' > event.json',
    'sluice event sns --body \'{"userId":"u-1"}\' --attribute eventType=UserRegistered --count 3',
    'sluice event fifo --count 4 --group order-1 --group order-2',
  ],
  async run(values, positionals, output) {
    const [kind] = positionals;
    if (kind === undefined) throw new UsageError(`missing the event kind: one of ${KINDS.join(', ')}`);
    if (!KINDS.includes(kind as Kind)) throw new UsageError(`unknown event kind '${kind}'; allowed: ${KINDS.join(', ')}`);
    if (kind !== 'fifo' && values['group'] !== undefined) throw new UsageError('--group applies to fifo events only');
    if (kind !== 'sns' && (values['topic-arn'] !== undefined || values['subject'] !== undefined)) {
      throw new UsageError('--topic-arn and --subject apply to sns events only');
    }
    output.out(JSON.stringify(buildEvent(kind as Kind, values), null, 2));
    return EXIT.ok;
  },
};

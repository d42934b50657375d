/**
 * Lambda event filters of a {@link QueueConsumer} (`filters`) and the metrics of its event
 * source mapping (`metricsConfig`): synth-time checks, and what {@link EventTopic} needs to
 * know about the patterns.
 */
import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { EVENT_FILTER_QUOTA_CONTEXT_KEY, INFRA_LIMITS } from './queue-consumer-defaults.ts';
import type { Problems } from './validation.ts';

/** One Lambda event filter, as `lambda.FilterCriteria.filter({ body: { … } })` returns it. */
export type EventFilter = { readonly [key: string]: unknown };

/** Top-level fields of an SNS envelope in an SQS body (raw delivery off; FIFO adds `SequenceNumber`). */
const SNS_ENVELOPE_FIELDS: ReadonlySet<string> = new Set([
  'Type',
  'MessageId',
  'SequenceNumber',
  'TopicArn',
  'Subject',
  'Message',
  'Timestamp',
  'SignatureVersion',
  'Signature',
  'SigningCertURL',
  'UnsubscribeURL',
  'MessageAttributes',
]);

const FILTER_ALLOWED = 'an object from lambda.FilterCriteria.filter({ body: { … } })';

/**
 * Checks `filters`: at most `maxFilters`, each a JSON pattern of at most 4096 characters
 * whose only top-level key is `body` (Lambda rejects any other key for an SQS source).
 * Patterns that are deploy-time tokens are skipped.
 */
export function checkEventFilters(problems: Problems, filters: readonly EventFilter[] | undefined, maxFilters: number): void {
  if (filters === undefined) return;
  if (!Array.isArray(filters)) {
    problems.add('filters', filters, `an array of ${FILTER_ALLOWED}`);
    return;
  }
  if (filters.length > maxFilters) {
    problems.add(
      'filters.length',
      filters.length,
      `at most ${maxFilters} per event source mapping (Lambda's quota` +
        (maxFilters < INFRA_LIMITS.maxEventFiltersRaised
          ? `; an account with a raised quota sets the context "${EVENT_FILTER_QUOTA_CONTEXT_KEY}", up to ${INFRA_LIMITS.maxEventFiltersRaised})`
          : ')'),
    );
  }
  filters.forEach((filter, index) => checkEventFilter(problems, `filters[${index}]`, filter));
}

/**
 * The event filter quota this app allows: the `sluice:eventFilterQuota` context when set
 * (an account whose quota was raised), otherwise Lambda's default of 5.
 */
export function eventFilterQuota(problems: Problems, context: unknown): number {
  if (context === undefined) return INFRA_LIMITS.maxEventFilters;
  const quota = typeof context === 'string' ? Number(context) : context; // `-c key=10` arrives as a string
  if (typeof quota !== 'number' || !Number.isInteger(quota) || quota < INFRA_LIMITS.maxEventFilters || quota > INFRA_LIMITS.maxEventFiltersRaised) {
    problems.add(
      `context ${EVENT_FILTER_QUOTA_CONTEXT_KEY}`,
      context,
      `an integer from ${INFRA_LIMITS.maxEventFilters} to ${INFRA_LIMITS.maxEventFiltersRaised} (the account's Lambda quota of filters per event source mapping)`,
    );
    return INFRA_LIMITS.maxEventFilters;
  }
  return quota;
}

/** Checks `metricsConfig`: an SQS event source mapping produces `EventCount` metrics only. */
export function checkMetricsConfig(problems: Problems, metricsConfig: lambda.MetricsConfig | undefined): void {
  if (metricsConfig === undefined) return;
  if (!Array.isArray(metricsConfig.metrics)) {
    problems.add('metricsConfig.metrics', metricsConfig.metrics, '[lambda.MetricType.EVENT_COUNT]');
    return;
  }
  metricsConfig.metrics.forEach((metric, index) => {
    if (Token.isUnresolved(metric) || metric === lambda.MetricType.EVENT_COUNT) return;
    problems.add(`metricsConfig.metrics[${index}]`, metric, `"EventCount" (ErrorCount and KafkaMetrics are for Kafka event sources)`);
  });
}

/**
 * Indexes of the filters that can only match a body that is not an SNS envelope: a
 * plain-text pattern, or a rule on a field the envelope does not have (such as a field of
 * the published message, which the envelope carries as the string `Message`).
 */
export function filtersNeedingRawDelivery(filters: readonly EventFilter[]): number[] {
  const indexes: number[] = [];
  filters.forEach((filter, index) => {
    const body = parsePattern(filter.pattern)?.['body'];
    if (Array.isArray(body)) indexes.push(index);
    else if (isPlainObject(body) && Object.keys(body).some((field) => !SNS_ENVELOPE_FIELDS.has(field))) indexes.push(index);
  });
  return indexes;
}

function checkEventFilter(problems: Problems, prop: string, filter: unknown): void {
  const pattern = isPlainObject(filter) ? filter['pattern'] : undefined;
  if (Token.isUnresolved(pattern)) return;
  if (typeof pattern !== 'string') {
    problems.add(prop, filter, FILTER_ALLOWED);
    return;
  }
  if (pattern.length > INFRA_LIMITS.maxFilterPatternLength) {
    problems.add(`${prop}.pattern`, pattern, `at most ${INFRA_LIMITS.maxFilterPatternLength} characters (Lambda's limit per pattern)`);
  }
  const parsed = parsePattern(pattern);
  if (!parsed) {
    problems.add(`${prop}.pattern`, pattern, 'a JSON object such as {"body":{"type":["UserRegistered"]}} (lambda.FilterCriteria.filter builds one)');
    return;
  }
  const keys = Object.keys(parsed);
  if (keys.length === 0) problems.add(prop, parsed, 'a pattern on "body"');
  for (const key of keys) {
    if (key === 'body') continue;
    problems.add(
      `${prop}.${key}`,
      parsed[key],
      'only the "body" key (an SQS event source mapping filters on the message body; Lambda rejects patterns on other keys)',
    );
  }
  const body = parsed['body'];
  if (body !== undefined && !isPlainObject(body) && !Array.isArray(body)) {
    problems.add(`${prop}.body`, body, 'an object of rules on fields of a JSON body, or an array of rules for a plain-text body');
  }
}

function parsePattern(pattern: unknown): Record<string, unknown> | undefined {
  if (typeof pattern !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(pattern);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

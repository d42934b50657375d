/**
 * The checks Lambda applies to an SQS event source mapping's `FilterCriteria` when the
 * mapping is created: every pattern is a JSON object, and SQS mappings filter on the
 * `body` key only (at the top level and inside `$or`). Lambda rejects other patterns at
 * `CreateEventSourceMapping`; the template reader rejects them when it reads the app.
 */
import { SluiceError } from '../../../lambda/runtime/index.ts';
import { isRecord } from './cfn-values.ts';

/** A mapping's filter pattern is one Lambda would reject. */
export class FilterCriteriaError extends SluiceError {
  override name = 'FilterCriteriaError';
  /** The mapping, as `stack/logicalId` (or the emulator's name). */
  readonly mapping: string;
  /** The offending key, when the pattern filters on a key other than `body`. */
  readonly key: string | undefined;

  constructor(mapping: string, message: string, key?: string) {
    super('FILTER_CRITERIA', message);
    this.mapping = mapping;
    this.key = key;
  }
}

function checkKeys(pattern: Record<string, unknown>, mapping: string, where: string): void {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === 'body') continue;
    if (key === '$or' && Array.isArray(rule)) {
      rule.forEach((alternative, i) => {
        if (!isRecord(alternative)) throw new FilterCriteriaError(mapping, `${mapping}: ${where}.$or[${i}] is not an object; allowed: objects of 'body' rules`);
        checkKeys(alternative, mapping, `${where}.$or[${i}]`);
      });
      continue;
    }
    throw new FilterCriteriaError(
      mapping,
      `${mapping}: ${where} filters on '${key}'; an SQS event source mapping filters on 'body' only (Lambda rejects this pattern at CreateEventSourceMapping)`,
      key,
    );
  }
}

/**
 * Checks one SQS filter pattern.
 *
 * @param pattern - the parsed `Pattern`, or undefined when it is not a JSON object.
 * @param mapping - names the mapping in the message (`stack/logicalId`).
 * @param index - the pattern's index in `FilterCriteria.Filters`.
 * @throws {FilterCriteriaError} when the pattern is not a JSON object or filters on a key other than `body`.
 */
export function checkSqsFilterPattern(pattern: unknown, mapping: string, index: number): asserts pattern is Record<string, unknown> {
  const where = `FilterCriteria.Filters[${index}].Pattern`;
  if (!isRecord(pattern)) throw new FilterCriteriaError(mapping, `${mapping}: ${where} is not a JSON object`);
  checkKeys(pattern, mapping, where);
}

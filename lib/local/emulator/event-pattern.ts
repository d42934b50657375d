/**
 * Content-based pattern matching shared by Lambda event filtering (`FilterCriteria`) and
 * SNS filter policies: exact values, `prefix`, `suffix`, `equals-ignore-case`,
 * `wildcard`, `anything-but`, `numeric`, `exists` and `$or`.
 */

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numericMatches(ops: Json, value: Json): boolean {
  if (typeof value !== 'number' || !Array.isArray(ops)) return false;
  for (let i = 0; i + 1 < ops.length; i += 2) {
    const op = ops[i];
    const bound = Number(ops[i + 1]);
    const ok = op === '=' ? value === bound : op === '>' ? value > bound : op === '>=' ? value >= bound
      : op === '<' ? value < bound : op === '<=' ? value <= bound : false;
    if (!ok) return false;
  }
  return true;
}

function wildcardMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return regex.test(value);
}

function stringRule(rule: Json, value: string, test: (r: string, v: string) => boolean): boolean {
  if (typeof rule === 'string') return test(rule, value);
  if (isObject(rule) && typeof rule['equals-ignore-case'] === 'string') return test(rule['equals-ignore-case'].toLowerCase(), value.toLowerCase());
  return false;
}

/** Whether one value (never an array; arrays are handled by the caller) satisfies one rule. */
function ruleMatches(rule: Json, value: Json, present: boolean): boolean {
  if (!isObject(rule)) return present && rule === value;
  if ('exists' in rule) return rule.exists === present;
  if (!present) return false;
  if ('prefix' in rule) return typeof value === 'string' && stringRule(rule.prefix, value, (r, v) => v.startsWith(r));
  if ('suffix' in rule) return typeof value === 'string' && stringRule(rule.suffix, value, (r, v) => v.endsWith(r));
  if ('equals-ignore-case' in rule) return typeof value === 'string' && typeof rule['equals-ignore-case'] === 'string' && value.toLowerCase() === rule['equals-ignore-case'].toLowerCase();
  if ('wildcard' in rule) return typeof value === 'string' && typeof rule.wildcard === 'string' && wildcardMatches(rule.wildcard, value);
  if ('numeric' in rule) return numericMatches(rule.numeric, value);
  if ('anything-but' in rule) {
    const but = rule['anything-but'];
    if (Array.isArray(but)) return !but.some((b) => b === value);
    if (isObject(but)) return !ruleMatches(but, value, present);
    return but !== value;
  }
  return false;
}

function fieldMatches(rules: Json[], value: Json, present: boolean): boolean {
  const values = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && value.length === 0) return rules.some((r) => isObject(r) && 'exists' in r && ruleMatches(r, undefined, true));
  return rules.some((rule) => values.some((v) => ruleMatches(rule, v, present)));
}

/**
 * Whether `event` matches `pattern` (every key of the pattern must match; `$or` takes
 * alternatives).
 *
 * @param pattern - an EventBridge-style pattern object (a Lambda filter or an SNS filter policy).
 * @param event - the object to test (a Lambda record with a parsed body, or SNS attributes/body).
 */
export function matchesPattern(pattern: Record<string, Json>, event: Json): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(rule) || !rule.some((alt) => isObject(alt) && matchesPattern(alt, event))) return false;
      continue;
    }
    const present = isObject(event) && key in event;
    const value = isObject(event) ? event[key] : undefined;
    if (Array.isArray(rule)) {
      if (!fieldMatches(rule, value, present)) return false;
    } else if (isObject(rule)) {
      if (!matchesPattern(rule, isObject(value) ? value : undefined)) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** A body as Lambda's SQS filtering sees it: parsed when it is valid JSON, else plain text. */
type FilterBody = { readonly json: true; readonly value: Json } | { readonly json: false; readonly text: string };

function filterBody(body: string): FilterBody {
  try {
    return { json: true, value: JSON.parse(body) as Json };
  } catch {
    return { json: false, text: body };
  }
}

/**
 * One `body` rule against one body, per Lambda's SQS filtering table: a plain-string
 * pattern (`body: [rules]`) matches only a plain-text body, as a string; a JSON pattern
 * (`body: { … }`) matches only a JSON body, as JSON. A mismatch of the two never matches
 * (Lambda drops the message). "Valid JSON" is anything `JSON.parse` accepts.
 */
function bodyRuleMatches(rule: Json, body: FilterBody): boolean {
  if (Array.isArray(rule)) return !body.json && fieldMatches(rule, body.text, true);
  if (isObject(rule)) return body.json && matchesPattern(rule, body.value);
  return false;
}

function sqsPatternMatches(pattern: Record<string, Json>, body: FilterBody): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === 'body') {
      if (!bodyRuleMatches(rule, body)) return false;
    } else if (key === '$or') {
      if (!Array.isArray(rule) || !rule.some((alt) => isObject(alt) && sqsPatternMatches(alt, body))) return false;
    } else {
      // Not reachable for checked patterns (SQS filters only on `body`); never a match.
      return false;
    }
  }
  return true;
}

/**
 * Whether a record passes a mapping's filters: true when there are none, or any one
 * matches. SQS event source filters look at `body` only (see {@link bodyRuleMatches}).
 */
export function passesFilters(patterns: readonly Record<string, Json>[], record: { readonly body: string }): boolean {
  if (patterns.length === 0) return true;
  const body = filterBody(record.body);
  return patterns.some((p) => sqsPatternMatches(p, body));
}

/** SNS message attributes as a filter policy sees them: String → string, Number → number, String.Array → array. */
export function snsAttributeValues(attributes: Record<string, { DataType: string; StringValue?: string }>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, a] of Object.entries(attributes)) {
    if (a.StringValue === undefined) continue;
    if (a.DataType.startsWith('Number')) out[name] = Number(a.StringValue);
    else if (a.DataType === 'String.Array') {
      try { out[name] = JSON.parse(a.StringValue) as Json; } catch { out[name] = a.StringValue; }
    } else out[name] = a.StringValue;
  }
  return out;
}

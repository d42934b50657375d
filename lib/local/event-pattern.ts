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

/** The SQS record shape Lambda filters on: the record with `body` parsed when it is JSON. */
export function filterableRecord(record: { readonly body: string }): Record<string, Json> {
  let body: Json = record.body;
  try {
    body = JSON.parse(record.body);
  } catch {
    // Not JSON: Lambda matches `body` rules against nothing, so only `exists: false` can match.
    body = undefined;
  }
  return { ...record, body };
}

/**
 * Whether a record passes a mapping's filters: true when there are none, or any one matches.
 */
export function passesFilters(patterns: readonly Record<string, Json>[], record: { readonly body: string }): boolean {
  if (patterns.length === 0) return true;
  const event = filterableRecord(record);
  return patterns.some((p) => matchesPattern(p, event));
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

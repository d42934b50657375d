/**
 * Narrowing helpers for CloudFormation property values, and the reference shapes CDK
 * emits (`Ref`, `Fn::GetAtt`, `Fn::ImportValue` of an exported `Ref`/`GetAtt`).
 */
import type { CfnValue, ResourceKey, StackTemplate } from './model.ts';

/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as a string when it is a literal string or number; otherwise undefined. */
export function literalString(value: CfnValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** The value as a number when it is a literal number or numeric string; otherwise `fallback`. */
export function literalNumber(value: CfnValue | undefined, fallback: number): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return fallback;
}

/** `true` for a literal `true` or `'true'`. */
export function literalBoolean(value: CfnValue | undefined): boolean {
  return value === true || value === 'true';
}

/** A JSON object given either as an object or as a JSON string (filter policies, redrive policies). */
export function jsonObject(value: CfnValue | undefined): Record<string, unknown> | undefined {
  if (isRecord(value)) return value;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      return isRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** What a `Ref`/`GetAtt` names: the resource and the attribute (`Ref` for a plain `Ref`). */
export interface Reference extends ResourceKey {
  readonly attribute: string;
}

/**
 * The resource a value refers to: `{ Ref: X }`, `{ 'Fn::GetAtt': [X, attr] }` (or `'X.attr'`),
 * or `{ 'Fn::ImportValue': name }` whose export (in any stack) is one of those.
 *
 * @returns undefined when the value is not such a reference or names no resource.
 */
export function referenceOf(value: CfnValue | undefined, stack: string, templates: readonly StackTemplate[]): Reference | undefined {
  if (!isRecord(value)) return undefined;
  const ref = value.Ref;
  if (typeof ref === 'string' && !ref.startsWith('AWS::')) return { stack, logicalId: ref, attribute: 'Ref' };
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') {
    return { stack, logicalId: getAtt[0], attribute: getAtt[1] };
  }
  if (typeof getAtt === 'string' && getAtt.includes('.')) {
    const dot = getAtt.indexOf('.');
    return { stack, logicalId: getAtt.slice(0, dot), attribute: getAtt.slice(dot + 1) };
  }
  const imported = value['Fn::ImportValue'];
  if (typeof imported === 'string') {
    for (const template of templates) {
      const exported = template.exports[imported];
      if (exported !== undefined) return referenceOf(exported, template.stack, templates);
    }
  }
  return undefined;
}

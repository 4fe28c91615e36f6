// KQL over the audit log: the parsed query bound to the audit fields, values typed once, unknown fields refused.
import type { QueryNode, QueryValue, RangeOperator } from '../query/ast.js';
import { parseQuery } from '../query/parser.js';
import { QueryError } from '../query/query-error.js';
import { parseTimeInterval, type TimeInterval } from '../query/time-range.js';

export type AuditTextField =
  | 'requestId' | 'principal' | 'keyPrefix' | 'sessionId' | 'sourceIp' | 'method' | 'route' | 'action' | 'resource' | 'decision' | 'errorCode' | 'reason';
export type AuditNumberField = 'status' | 'resultSize' | 'items';
export type AuditField = AuditTextField | AuditNumberField | 'time';

const TEXT_FIELDS: readonly AuditTextField[] = ['requestId', 'principal', 'keyPrefix', 'sessionId', 'sourceIp', 'method', 'route', 'action', 'resource', 'decision', 'errorCode', 'reason'];
const NUMBER_FIELDS: readonly AuditNumberField[] = ['status', 'resultSize', 'items'];

/** Every field a query can name. */
export const AUDIT_FIELDS: readonly AuditField[] = ['time', ...TEXT_FIELDS, ...NUMBER_FIELDS];

/** The fields bare words are looked for in. */
export const AUDIT_FREE_TEXT_FIELDS: readonly AuditTextField[] = ['principal', 'action', 'resource', 'route', 'errorCode', 'reason'];

export type CompareOp = '=' | RangeOperator;

export type AuditCondition =
  | { readonly kind: 'all' }
  | { readonly kind: 'and'; readonly children: readonly AuditCondition[] }
  | { readonly kind: 'or'; readonly children: readonly AuditCondition[] }
  | { readonly kind: 'not'; readonly child: AuditCondition }
  /** Exact and case-sensitive; a `*` in `pattern` is any run of characters. */
  | { readonly kind: 'text'; readonly field: AuditTextField; readonly equals: string }
  | { readonly kind: 'wildcard'; readonly field: AuditTextField; readonly pattern: string }
  | { readonly kind: 'number'; readonly field: AuditNumberField; readonly op: CompareOp; readonly value: number }
  /** `=` matches inside the span, `<=` and `>` go past its end (a date-only value is its whole day). */
  | { readonly kind: 'time'; readonly op: CompareOp; readonly span: TimeInterval }
  | { readonly kind: 'exists'; readonly field: AuditField }
  /** Contained, without regard to ASCII case, in any of the free-text fields; `*` is any run of characters. */
  | { readonly kind: 'free-text'; readonly pattern: string };

function fieldOf(name: string): AuditField {
  if ((AUDIT_FIELDS as readonly string[]).includes(name)) return name as AuditField;
  throw new QueryError(`unknown audit field "${name.slice(0, 100)}"; the audit log has ${AUDIT_FIELDS.join(', ')}`);
}

function numberOf(field: string, value: QueryValue): number {
  const n = value.wildcard ? Number.NaN : Number(value.text);
  if (value.text.trim() === '' || !Number.isFinite(n)) throw new QueryError(`${field} takes a number, not "${value.text.slice(0, 100)}"`);
  return n;
}

function compare(field: AuditField, op: CompareOp, value: QueryValue, now: number): AuditCondition {
  if (field === 'time') {
    if (value.wildcard) throw new QueryError(`time takes a time (ISO-8601, epoch ms or now-1h), not a wildcard`);
    return { kind: 'time', op, span: parseTimeInterval(value.text, now) };
  }
  if ((NUMBER_FIELDS as readonly string[]).includes(field)) return { kind: 'number', field: field as AuditNumberField, op, value: numberOf(field, value) };
  const text = field as AuditTextField;
  if (op !== '=') throw new QueryError(`${field} is text; ranges apply to time, ${NUMBER_FIELDS.join(', ')}`);
  return value.wildcard ? { kind: 'wildcard', field: text, pattern: value.text } : { kind: 'text', field: text, equals: value.text };
}

function bind(node: QueryNode, now: number): AuditCondition {
  switch (node.kind) {
    case 'all':
      return node;
    case 'and':
    case 'or':
      return { kind: node.kind, children: node.children.map((c) => bind(c, now)) };
    case 'not':
      return { kind: 'not', child: bind(node.child, now) };
    case 'match':
      return compare(fieldOf(node.field), '=', node.value, now);
    case 'range':
      return compare(fieldOf(node.field), node.op, node.value, now);
    case 'exists':
      return { kind: 'exists', field: fieldOf(node.field) };
    case 'text':
      return { kind: 'free-text', pattern: node.value.text };
  }
}

/**
 * Parses and binds a KQL query over the audit fields; relative times are resolved against `now`. Throws QueryError
 * (INVALID_QUERY naming the field or value, INVALID_TIME) for what the user has to fix.
 */
export function parseAuditQuery(text: string, now: number): AuditCondition {
  return bind(parseQuery(text), now);
}

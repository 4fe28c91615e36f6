// Compiles a bound audit query into a parameterised PostgreSQL condition on the audit_log table.
import { AUDIT_COLUMNS } from '../../audit/audit-columns.js';
import { AUDIT_FREE_TEXT_FIELDS, type AuditCondition, type AuditField, type CompareOp } from '../../audit/audit-query.js';
import type { TimeInterval } from '../../query/time-range.js';
import { Params } from './compile-query.js';


/** KQL's `*` as a LIKE pattern (escape `\`): `%`, `_` and `\` typed by the user are literal. */
function likePattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

function join(op: 'AND' | 'OR', parts: readonly string[]): string {
  if (parts.length === 0) return op === 'AND' ? 'true' : 'false';
  return `(${parts.join(` ${op} `)})`;
}

/** A date-only or rounded time covers a span: `:` matches inside it, `<=` and `>` go past its end. */
function timeCondition(op: CompareOp, span: TimeInterval, p: Params): string {
  switch (op) {
    case '=':
      return `(time >= ${p.add(span.start)} AND time < ${p.add(span.end)})`;
    case '<':
      return `time < ${p.add(span.start)}`;
    case '<=':
      return `time < ${p.add(span.end)}`;
    case '>':
      return `time >= ${p.add(span.end)}`;
    case '>=':
      return `time >= ${p.add(span.start)}`;
  }
}

/** The condition, its values added to `p`. Text columns are in the "C" collation, so ILIKE folds ASCII case only. */
export function compileAuditCondition(node: AuditCondition, p: Params): string {
  switch (node.kind) {
    case 'all':
      return 'true';
    case 'and':
      return join('AND', node.children.map((c) => compileAuditCondition(c, p)));
    case 'or':
      return join('OR', node.children.map((c) => compileAuditCondition(c, p)));
    case 'not':
      // A missing value does not match, so its negation does (NOT on NULL would drop the row).
      return `((${compileAuditCondition(node.child, p)}) IS NOT TRUE)`;
    case 'text':
      return `${AUDIT_COLUMNS[node.field]} = ${p.add(node.equals)}`;
    case 'wildcard':
      return `${AUDIT_COLUMNS[node.field]} LIKE ${p.add(likePattern(node.pattern))}`;
    case 'number':
      return `${AUDIT_COLUMNS[node.field]} ${node.op} ${p.add(node.value)}::numeric`;
    case 'time':
      return timeCondition(node.op, node.span, p);
    case 'exists':
      return `${AUDIT_COLUMNS[node.field]} IS NOT NULL`;
    case 'free-text': {
      const pattern = p.add(`%${likePattern(node.pattern)}%`);
      return join('OR', AUDIT_FREE_TEXT_FIELDS.map((f) => `${AUDIT_COLUMNS[f]} ILIKE ${pattern}`));
    }
  }
}

// Compiles a bound audit query into a parameterised SQL condition on the audit_log table.
import { AUDIT_COLUMNS } from '../../audit/audit-columns.js';
import type { AuditCondition, AuditField, CompareOp } from '../../audit/audit-query.js';
import type { TimeInterval } from '../../query/time-range.js';
import { AUDIT_FREE_TEXT_FIELDS } from '../../audit/audit-query.js';

export interface AuditSql {
  readonly sql: string;
  readonly params: readonly (string | number)[];
}


const sql = (text: string, ...params: (string | number)[]): AuditSql => ({ sql: text, params });

/** KQL's `*` as a GLOB pattern: every other GLOB metacharacter is literal. */
function globPattern(text: string): string {
  return text.replace(/[[\]?]/g, (c) => `[${c}]`);
}

/** KQL's `*` as a LIKE pattern (escape `\`): `%` and `_` typed by the user are literal. */
function likePattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

function join(op: 'AND' | 'OR', parts: readonly AuditSql[]): AuditSql {
  if (parts.length === 0) return sql(op === 'AND' ? '1' : '0');
  return { sql: `(${parts.map((p) => p.sql).join(` ${op} `)})`, params: parts.flatMap((p) => p.params) };
}

/** A date-only or rounded time covers a span: `:` matches inside it, `<=` and `>` go past its end. */
function timeCondition(op: CompareOp, span: TimeInterval): AuditSql {
  switch (op) {
    case '=':
      return sql('(time >= ? AND time < ?)', span.start, span.end);
    case '<':
      return sql('time < ?', span.start);
    case '<=':
      return sql('time < ?', span.end);
    case '>':
      return sql('time >= ?', span.end);
    case '>=':
      return sql('time >= ?', span.start);
  }
}

export function compileAuditCondition(node: AuditCondition): AuditSql {
  switch (node.kind) {
    case 'all':
      return sql('1');
    case 'and':
      return join('AND', node.children.map(compileAuditCondition));
    case 'or':
      return join('OR', node.children.map(compileAuditCondition));
    case 'not': {
      const inner = compileAuditCondition(node.child);
      // A missing value does not match, so its negation does (NOT on NULL would drop the row).
      return { sql: `NOT coalesce(${inner.sql}, 0)`, params: inner.params };
    }
    case 'text':
      return sql(`${AUDIT_COLUMNS[node.field]} = ?`, node.equals);
    case 'wildcard':
      return sql(`${AUDIT_COLUMNS[node.field]} GLOB ?`, globPattern(node.pattern));
    case 'number':
      return sql(`${AUDIT_COLUMNS[node.field]} ${node.op} ?`, node.value);
    case 'time':
      return timeCondition(node.op, node.span);
    case 'exists':
      return sql(`${AUDIT_COLUMNS[node.field]} IS NOT NULL`);
    case 'free-text': {
      const pattern = `%${likePattern(node.pattern)}%`;
      return join('OR', AUDIT_FREE_TEXT_FIELDS.map((f) => sql(`${AUDIT_COLUMNS[f]} LIKE ? ESCAPE '\\'`, pattern)));
    }
  }
}

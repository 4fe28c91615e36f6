// Emits a bound KQL query as a parameterised PostgreSQL WHERE fragment over `findings f`. Catalogue fields and
// remote parties so far; free text and document paths are refused with STORE_UNSUPPORTED_QUERY until they come.
import type { QueryNode } from '../../query/ast.js';
import { bindQuery } from '../../query/bind.js';
import type { BoundNode, BoundQuery, CompareOp, Glob, TextTest } from '../../query/bound.js';
import type { CatalogColumn, RemoteColumn } from '../../query/fields.js';
import type { TimeInterval } from '../../query/time-range.js';
import { PostgresStoreError } from './postgres-errors.js';

const COLUMN: Readonly<Record<CatalogColumn, string>> = {
  id: 'id', accountId: 'account_id', region: 'region', type: 'type', arn: 'arn', title: 'title', severity: 'severity',
  band: 'band', createdAt: 'created_at', updatedAt: 'updated_at', count: 'count', archived: 'archived', sample: 'sample',
  resourceType: 'resource_type', actionType: 'action_type', resourceId: 'resource_id', firstSeen: 'first_seen',
  lastSeen: 'last_seen', versions: 'versions',
};
const REMOTE: Readonly<Record<RemoteColumn, string>> = { remoteIp: 'ip', remoteCountry: 'country', remoteOrg: 'org' };
const OPERATOR: Readonly<Record<CompareOp, string>> = { '=': '=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** Parameters in order; `add` returns the placeholder of the value it adds. */
export class Params {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A WHERE fragment over `findings f`, binding a parse tree first (relative times against now). */
export function compileQuery(query: QueryNode | BoundQuery, params: Params): string {
  return emit(bindQuery(query).root, params);
}

function emit(node: BoundNode, p: Params): string {
  switch (node.kind) {
    case 'all':
      return 'true';
    case 'and':
    case 'or':
      return node.children.length === 0 ? String(node.kind === 'and') : `(${node.children.map((c) => emit(c, p)).join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      // A comparison with a missing (NULL) value is NULL; `IS NOT TRUE` keeps those findings, as KQL's not does.
      return `((${emit(node.child, p)}) IS NOT TRUE)`;
    case 'exists':
      if (node.field.kind === 'column') return `f.${COLUMN[node.field.column]} IS NOT NULL`;
      if (node.field.kind === 'remote') return remote(REMOTE[node.field.column], (c) => `${c} IS NOT NULL`);
      return unsupported('conditions on document paths');
    case 'text':
    case 'in': {
      const condition = (column: string): string => (node.kind === 'in' ? inList(column, node.values, p) : textCondition(column, node.test, p));
      return node.field.kind === 'column' ? condition(`f.${COLUMN[node.field.column]}`) : remote(REMOTE[node.field.column], condition);
    }
    case 'number':
      return `f.${COLUMN[node.field.column]} ${OPERATOR[node.op]} ${p.add(node.value)}`;
    case 'band':
      return `f.${COLUMN[node.field.column]} ${OPERATOR[node.op]} ${p.add(node.rank)}`;
    case 'time':
      return timeCondition(`f.${COLUMN[node.field.column]}`, node.span, node.op, p);
    case 'boolean':
      return `f.${COLUMN[node.field.column]} = ${p.add(node.value)}`;
    case 'free-text':
      return node.phrases.length === 0 ? 'true' : unsupported('free-text search');
    case 'document':
      return unsupported('conditions on document paths');
  }
}

function unsupported(what: string): never {
  throw new PostgresStoreError('STORE_UNSUPPORTED_QUERY', `the PostgreSQL store cannot answer ${what} yet`);
}

function remote(column: string, condition: (column: string) => string): string {
  return `EXISTS (SELECT 1 FROM finding_remote_ips r WHERE r.finding = f.rid AND ${condition(`r.${column}`)})`;
}

/** `*` as LIKE's `%`; LIKE's own metacharacters and its escape character are literal. */
function likePattern(parts: ReadonlyArray<{ kind: 'text'; text: string } | { kind: 'star' } | { kind: 'one' }>): string {
  return parts.map((t) => (t.kind === 'star' ? '%' : t.kind === 'one' ? '_' : t.text.replace(/[\\%_]/g, (c) => `\\${c}`))).join('');
}

function wildcardParts(pattern: string): Glob {
  return pattern.split('*').flatMap((text, i) => (i === 0 ? [{ kind: 'text' as const, text }] : [{ kind: 'star' as const }, { kind: 'text' as const, text }]));
}

function textCondition(column: string, test: TextTest, p: Params): string {
  switch (test.kind) {
    case 'equals':
      return `${column} = ${p.add(test.text)}`;
    case 'compare':
      return `${column} ${OPERATOR[test.op]} ${p.add(test.text)}`;
    case 'wildcard':
      return `${column} LIKE ${p.add(likePattern(wildcardParts(test.pattern)))}`;
    case 'glob':
      return `${column} LIKE ${p.add(likePattern(test.glob))}`;
    case 'equals-ignore-case':
      return unsupported('case-insensitive scopes');
  }
}

function inList(column: string, values: readonly string[], p: Params): string {
  return values.length === 0 ? 'false' : `${column} = ANY(${p.add(values)}::text[])`;
}

/** A date-only or rounded time covers a span: `:` matches inside it, `<=` and `>` go past its end. */
function timeCondition(column: string, span: TimeInterval, op: CompareOp, p: Params): string {
  switch (op) {
    case '=':
      return span.end - span.start === 1 ? `${column} = ${p.add(span.start)}` : `(${column} >= ${p.add(span.start)} AND ${column} < ${p.add(span.end)})`;
    case '<':
      return `${column} < ${p.add(span.start)}`;
    case '<=':
      return `${column} < ${p.add(span.end)}`;
    case '>':
      return `${column} >= ${p.add(span.end)}`;
    case '>=':
      return `${column} >= ${p.add(span.start)}`;
  }
}

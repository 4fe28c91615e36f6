// Emits a bound KQL query as a parameterised PostgreSQL WHERE fragment over `findings f`; user text only ever
// travels as parameters. Catalogue fields are columns, remote parties a table, document paths the path/value
// table (document-values.ts), and free text the tsvector of each finding's words (words.ts).
import type { QueryNode } from '../../query/ast.js';
import { bindQuery } from '../../query/bind.js';
import type { BoundNode, BoundQuery, CompareOp, DocumentField, DocumentTest, Glob, TextTest } from '../../query/bound.js';
import type { CatalogColumn, RemoteColumn } from '../../query/fields.js';
import type { FreeTextPhrase } from '../../query/free-text.js';
import type { TimeInterval } from '../../query/time-range.js';
import { storableText, VALUE_KIND } from './document-values.js';
import { phraseQuery } from './words.js';

export const COLUMN: Readonly<Record<CatalogColumn, string>> = {
  id: 'id', accountId: 'account_id', region: 'region', type: 'type', arn: 'arn', title: 'title', severity: 'severity',
  band: 'band', createdAt: 'created_at', updatedAt: 'updated_at', count: 'count', archived: 'archived', sample: 'sample',
  resourceType: 'resource_type', actionType: 'action_type', resourceId: 'resource_id', firstSeen: 'first_seen',
  lastSeen: 'last_seen', versions: 'versions',
};
export const REMOTE: Readonly<Record<RemoteColumn, 'ip' | 'country' | 'org'>> = { remoteIp: 'ip', remoteCountry: 'country', remoteOrg: 'org' };
const OPERATOR: Readonly<Record<CompareOp, string>> = { '=': '=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** Parameters in order; `add` returns the placeholder of the value it adds. Text is made storable as stored text is. */
export class Params {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    const v = typeof value === 'string' ? storableText(value) : Array.isArray(value) ? value.map((x) => (typeof x === 'string' ? storableText(x) : x)) : value;
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

export interface CompileOptions {
  /**
   * A collation whose lower() folds all of Unicode as JavaScript's toLowerCase does (ICU's root), for IAM's
   * IgnoreCase operators; without one, lower() follows the database's locale.
   */
  readonly unicodeLower?: string;
}

/** A WHERE fragment over `findings f`, binding a parse tree first (relative times against now). */
export function compileQuery(query: QueryNode | BoundQuery, params: Params, options: CompileOptions = {}): string {
  return new Compiler(params, options).emit(bindQuery(query).root);
}

class Compiler {
  constructor(
    private readonly p: Params,
    private readonly options: CompileOptions,
  ) {}

  emit(node: BoundNode): string {
    switch (node.kind) {
      case 'all':
        return 'true';
      case 'and':
      case 'or':
        return this.boolean(node.kind, node.children);
      case 'not':
        // A comparison with a missing (NULL) value is NULL; `IS NOT TRUE` keeps those findings, as KQL's not does.
        return `((${this.emit(node.child)}) IS NOT TRUE)`;
      case 'free-text':
        return this.words(freeTextQuery(node.phrases));
      case 'exists':
        if (node.field.kind === 'column') return `f.${COLUMN[node.field.column]} IS NOT NULL`;
        if (node.field.kind === 'remote') return remote(REMOTE[node.field.column], (c) => `${c} IS NOT NULL`);
        return this.document(node.field, undefined);
      case 'text':
      case 'in': {
        const condition = (column: string): string => (node.kind === 'in' ? this.inList(column, node.values) : this.text(column, node.test));
        return node.field.kind === 'column' ? condition(`f.${COLUMN[node.field.column]}`) : remote(REMOTE[node.field.column], condition);
      }
      case 'number':
        // float8, so that `count > 1.5` compares integer columns with the number as written.
        return `f.${COLUMN[node.field.column]} ${OPERATOR[node.op]} ${this.p.add(node.value)}::float8`;
      case 'band':
        return `f.${COLUMN[node.field.column]} ${OPERATOR[node.op]} ${this.p.add(node.rank)}`;
      case 'time':
        return this.time(`f.${COLUMN[node.field.column]}`, node.span, node.op);
      case 'boolean':
        return `f.${COLUMN[node.field.column]} = ${this.p.add(node.value)}`;
      case 'document':
        return this.document(node.field, node.test);
    }
  }

  /**
   * The free-text operands of one and/or become a single tsquery (duplicates dropped), so that `a b c …` costs
   * one lookup of the words index instead of one per word.
   */
  private boolean(kind: 'and' | 'or', children: readonly BoundNode[]): string {
    const texts = new Set<string>();
    const parts: string[] = [];
    for (const child of kind === 'or' ? mergeEqualities(children) : children) {
      const query = child.kind === 'free-text' ? freeTextQuery(child.phrases) : undefined;
      if (typeof query === 'string') texts.add(query);
      else parts.push(this.emit(child));
    }
    if (texts.size > 0) parts.push(this.words(texts.size === 1 ? [...texts][0]! : [...texts].map((t) => `(${t})`).join(kind === 'and' ? ' & ' : ' | ')));
    if (parts.length === 0) return String(kind === 'and');
    return parts.length === 1 ? parts[0]! : `(${parts.join(kind === 'and' ? ' AND ' : ' OR ')})`;
  }

  private words(query: FreeTextQuery): string {
    if (typeof query === 'boolean') return String(query);
    return `f.rid IN (SELECT w.finding FROM finding_words w WHERE w.words @@ ${this.p.add(query)}::tsquery)`;
  }

  private text(column: string, test: TextTest): string {
    switch (test.kind) {
      case 'equals':
        return `${column} = ${this.p.add(test.text)}`;
      case 'compare':
        return `${column} ${OPERATOR[test.op]} ${this.p.add(test.text)}`;
      case 'wildcard':
        return `${column} LIKE ${this.p.add(wildcardPattern(test.pattern))}`;
      case 'glob':
        return `${column} LIKE ${this.p.add(likePattern(test.glob))}`;
      case 'equals-ignore-case': {
        if (test.lowered.length === 0) return 'false';
        const collated = this.options.unicodeLower === undefined ? column : `${column} COLLATE "${this.options.unicodeLower}"`;
        return `lower(${collated}) = ANY(${this.p.add(test.lowered)}::text[])`;
      }
    }
  }

  private inList(column: string, values: readonly string[]): string {
    return values.length === 0 ? 'false' : `${column} = ANY(${this.p.add(values)}::text[])`;
  }

  /** A date-only or rounded time covers a span: `:` matches inside it, `<=` and `>` go past its end. */
  private time(column: string, span: TimeInterval, op: CompareOp): string {
    switch (op) {
      case '=':
        return span.end - span.start === 1 ? `${column} = ${this.p.add(span.start)}` : `(${column} >= ${this.p.add(span.start)} AND ${column} < ${this.p.add(span.end)})`;
      case '<':
        return `${column} < ${this.p.add(span.start)}`;
      case '<=':
        return `${column} < ${this.p.add(span.end)}`;
      case '>':
        return `${column} >= ${this.p.add(span.end)}`;
      case '>=':
        return `${column} >= ${this.p.add(span.start)}`;
    }
  }

  /**
   * Findings with a value under the path that meets the test (none: any value), read from the path/value table:
   * what the embedded store's json_tree walk finds there, arrays flattened.
   */
  private document(field: DocumentField, test: DocumentTest | undefined): string {
    const path = `v.path = (SELECT id FROM document_paths WHERE path = ${this.p.add(field.segments.join('.'))})`;
    const condition = test === undefined ? '' : ` AND ${this.value(test)}`;
    return `f.rid IN (SELECT v.finding FROM finding_values v WHERE ${path}${condition})`;
  }

  /** A condition on a `finding_values v` row. Text is in `text`, or in `long_text` when too long to index. */
  private value(test: DocumentTest): string {
    const text = (condition: (column: string) => string): string => `(${condition('v.text')} OR ${condition('v.long_text')})`;
    switch (test.kind) {
      case 'wildcard': {
        const pattern = this.p.add(wildcardPattern(test.pattern));
        return text((c) => `${c} LIKE ${pattern}`);
      }
      case 'equals': {
        const value = this.p.add(test.text);
        const equal = text((c) => `${c} = ${value}`);
        if (test.number !== undefined) return `(v.number = ${this.p.add(test.number)}::float8 OR ${equal})`;
        if (test.boolean !== undefined) return `(v.kind = ${this.p.add(test.boolean === 'true' ? VALUE_KIND.true : VALUE_KIND.false)} OR ${equal})`;
        return equal;
      }
      case 'number':
        return `v.number ${OPERATOR[test.op]} ${this.p.add(test.value)}::float8`;
      case 'time':
        return this.time('v.time', test.span, test.op);
      case 'compare': {
        const value = this.p.add(test.text);
        return text((c) => `${c} ${OPERATOR[test.op]} ${value}`);
      }
    }
  }
}

type ListField = Extract<BoundNode, { kind: 'in' }>['field'];

/**
 * `a:x or a:y or …` as one list per field (`remoteIp:(…550 addresses…)` is one condition, not 550 subqueries);
 * it selects the same findings, NULLs included.
 */
function mergeEqualities(children: readonly BoundNode[]): BoundNode[] {
  const lists = new Map<string, { field: ListField; values: string[] }>();
  const rest: BoundNode[] = [];
  for (const child of children) {
    const values = child.kind === 'in' ? child.values : child.kind === 'text' && child.test.kind === 'equals' ? [child.test.text] : undefined;
    if (values === undefined || (child.kind !== 'in' && child.kind !== 'text')) {
      rest.push(child);
      continue;
    }
    const key = `${child.field.kind}:${child.field.column}`;
    const list = lists.get(key);
    if (list === undefined) lists.set(key, { field: child.field, values: [...values] });
    else list.values.push(...values);
  }
  return [...rest, ...[...lists.values()].map((l): BoundNode => ({ kind: 'in', field: l.field, values: [...new Set(l.values)] }))];
}

/**
 * A tsquery for a free-text value's phrases (all must match); true when it has none (it matches everything), false
 * when a phrase is left without words (the embedded store's index matches nothing for it).
 */
type FreeTextQuery = string | boolean;

function freeTextQuery(phrases: readonly FreeTextPhrase[]): FreeTextQuery {
  if (phrases.length === 0) return true;
  const operands: string[] = [];
  for (const phrase of phrases) {
    const operand = phraseQuery(phrase);
    if (operand === undefined) return false;
    operands.push(operand.includes(' ') ? `(${operand})` : operand);
  }
  return operands.join(' & ');
}

function remote(column: string, condition: (column: string) => string): string {
  return `EXISTS (SELECT 1 FROM finding_remote_ips r WHERE r.finding = f.rid AND ${condition(`r.${column}`)})`;
}

/** A LIKE pattern from glob pieces: `*` as `%`, one character as `_`; LIKE's metacharacters and escape are literal. */
function likePattern(parts: Glob): string {
  return parts.map((t) => (t.kind === 'star' ? '%' : t.kind === 'one' ? '_' : t.text.replace(/[\\%_]/g, (c) => `\\${c}`))).join('');
}

/** A KQL wildcard (every `*` is one, nothing else) as a LIKE pattern. */
function wildcardPattern(pattern: string): string {
  return likePattern(pattern.split('*').flatMap((text, i) => (i === 0 ? [{ kind: 'text' as const, text }] : [{ kind: 'star' as const }, { kind: 'text' as const, text }])));
}

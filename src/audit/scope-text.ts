// A short text of the finding scope a request was answered under, for the audit log's `resource`.
import type { BoundNode, CompareOp, TextTest } from '../query/bound.js';

/** Longest scope text kept; a scope naming thousands of accounts is cut, and says so. */
export const MAX_SCOPE_TEXT = 1000;

function op(o: CompareOp): string {
  return o === '=' ? ':' : ` ${o} `;
}

function quoted(text: string): string {
  return JSON.stringify(text);
}

function textTest(name: string, test: TextTest): string {
  switch (test.kind) {
    case 'equals':
      return `${name}:${quoted(test.text)}`;
    case 'wildcard':
      return `${name}:${test.pattern}`;
    case 'glob':
      return `${name} like ${quoted(test.glob.map((t) => (t.kind === 'star' ? '*' : t.kind === 'one' ? '?' : t.text)).join(''))}`;
    case 'equals-ignore-case':
      return `${name} in~ (${test.lowered.map(quoted).join(' or ')})`;
    case 'compare':
      return `${name} ${test.op} ${quoted(test.text)}`;
  }
}

function render(node: BoundNode): string {
  switch (node.kind) {
    case 'all':
      return '*';
    case 'and':
    case 'or':
      return node.children.length === 0 ? (node.kind === 'and' ? '*' : 'none') : `(${node.children.map(render).join(` ${node.kind} `)})`;
    case 'not':
      return `not ${render(node.child)}`;
    case 'free-text':
      return node.phrases.map((p) => quoted(p.words.join(' ') + (p.prefix ? '*' : ''))).join(' ');
    case 'exists':
      return `${node.field.name}:*`;
    case 'text':
      return textTest(node.field.name, node.test);
    case 'in':
      return node.values.length === 0 ? 'none' : `${node.field.name}:(${node.values.map(quoted).join(' or ')})`;
    case 'number':
      return `${node.field.name}${op(node.op)}${node.value}`;
    case 'band':
      return `${node.field.name}${op(node.op)}${node.rank}`;
    case 'time':
      return `${node.field.name}${op(node.op)}${new Date(node.span.start).toISOString()}`;
    case 'boolean':
      return `${node.field.name}:${node.value}`;
    case 'document':
      return `${node.field.name}:${'text' in node.test ? quoted(node.test.text) : 'pattern' in node.test ? node.test.pattern : '…'}`;
  }
}

/** `*` for every finding (or no scope yet), else the scope as KQL-like text, at most MAX_SCOPE_TEXT characters. */
export function scopeText(scope: BoundNode | 'all' | undefined): string {
  if (scope === undefined || scope === 'all') return '*';
  // A caller's scope is one object until its policies or the catalog change: rendered once, not per request.
  let text = texts.get(scope);
  if (text === undefined) {
    const whole = render(scope);
    texts.set(scope, (text = whole.length <= MAX_SCOPE_TEXT ? whole : `${whole.slice(0, MAX_SCOPE_TEXT - 1)}…`));
  }
  return text;
}

const texts = new WeakMap<BoundNode, string>();

// Decides a compiled scope for one finding in memory (an item of an ingest request), with the same meaning the SQL
// and the facets give it.
import type { BoundNode, CompareOp } from '../../query/bound.js';
import { globMatcher } from '../../query/glob.js';
import { bandRank, type SeverityBand } from '../../findings/severity.js';
import type { FindingFacts } from './finding-keys.js';

function compare(a: number, op: CompareOp, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function textOf(f: FindingFacts, column: string): string {
  switch (column) {
    case 'accountId':
      return f.accountId;
    case 'region':
      return f.region;
    case 'type':
      return f.type;
    case 'id':
      return f.id;
    default:
      throw new TypeError(`a finding scope never tests ${column}`);
  }
}

/** Whether the finding lies in the scope; throws for a node no scope compiler emits (a programming error). */
export function scopeMatches(node: BoundNode, f: FindingFacts): boolean {
  switch (node.kind) {
    case 'all':
      return true;
    case 'and':
      return node.children.every((c) => scopeMatches(c, f));
    case 'or':
      return node.children.some((c) => scopeMatches(c, f));
    case 'not':
      return !scopeMatches(node.child, f);
    case 'in':
      return node.field.kind === 'column' && node.values.includes(textOf(f, node.field.column));
    case 'text': {
      if (node.field.kind !== 'column') break;
      const value = textOf(f, node.field.column);
      const test = node.test;
      if (test.kind === 'equals') return value === test.text;
      if (test.kind === 'glob') return globMatcher(test.glob)(value);
      if (test.kind === 'equals-ignore-case') return test.lowered.includes(value.toLowerCase());
      break;
    }
    case 'band':
      return compare(bandRank(f.band as SeverityBand), node.op, node.rank);
    case 'number':
      if (node.field.column === 'severity') return compare(f.severity, node.op, node.value);
      break;
    default:
      break;
  }
  throw new TypeError(`a finding scope never holds a ${node.kind} condition`);
}

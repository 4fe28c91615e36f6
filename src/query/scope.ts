// Conditions a caller's permissions add to every read (the accounts, regions… a policy lets them see), AND-ed
// into a bound query so that the SQL path and the in-memory facets both honour them.
import type { BoundNode, BoundQuery } from './bound.js';
import { resolveField } from './fields.js';

/** `query` restricted to what `scope` selects as well. */
export function andScope(query: BoundQuery, scope: BoundNode): BoundQuery {
  const root = query.root;
  if (root.kind === 'all') return { kind: 'bound', root: scope };
  if (scope.kind === 'all') return query;
  const left = root.kind === 'and' ? root.children : [root];
  const right = scope.kind === 'and' ? scope.children : [scope];
  return { kind: 'bound', root: { kind: 'and', children: [...left, ...right] } };
}

/**
 * Findings whose text catalogue field (`accountId`, `region`, `type`…) or remote party field is one of
 * `values`; none when the list is empty. Throws for other fields, a programming error.
 */
export function oneOf(fieldName: string, values: readonly string[]): BoundNode {
  const field = resolveField(fieldName);
  if (field.kind === 'remote' || (field.kind === 'column' && field.type === 'text')) return { kind: 'in', field, values: [...new Set(values)] };
  throw new TypeError(`${fieldName} is not a text field of the catalogue`);
}

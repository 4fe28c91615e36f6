// Decides one condition clause against a request, with IAM's rules for missing keys, IfExists and set qualifiers.
import { OPERATORS } from './conditions.js';
import { lookup, type Context } from './context.js';
import type { ConditionClause, PolicyVersion } from './document.js';
import { resolveValue } from './variables.js';
import { globOf } from './wildcard.js';

/**
 * IAM's rules, from the Condition operator and multivalued-key pages:
 * - a key the request lacks: positive operators are false, negated ones true, `…IfExists` true, `Null` decides;
 * - `ForAllValues:` is true for a missing or empty set, `ForAnyValue:` false;
 * - several policy values are ORed (for negated operators: the request value matches none of them);
 * - a policy value whose variable the request cannot fill matches nothing, and the clause is false.
 */
export function conditionHolds(clause: ConditionClause, version: PolicyVersion, context: Context): boolean {
  const def = OPERATORS[clause.operator.base]!;
  const values = lookup(context, clause.key);
  const present = values !== undefined && values.length > 0;
  if (def.family === 'Null') return clause.values.some((v) => (v.toLowerCase() === 'true') === !present);
  const { qualifier, ifExists } = clause.operator;
  if (!present) {
    if (ifExists) return true;
    if (qualifier === 'ForAllValues') return true;
    if (qualifier === 'ForAnyValue') return false;
    return def.negated;
  }
  const patterns = clause.values.map((v) => (def.variables ? resolveValue(v, version, context, def.wildcards) : globOf(v, def.wildcards)));
  if (patterns.some((p) => p === undefined)) return false;
  const matchesAny = (requestValue: string): boolean => patterns.some((p) => def.match(requestValue, p!));
  const satisfies = (requestValue: string): boolean => matchesAny(requestValue) !== def.negated;
  if (qualifier === 'ForAllValues') return values.every(satisfies);
  if (qualifier === 'ForAnyValue') return values.some(satisfies);
  return values.some(matchesAny) !== def.negated;
}

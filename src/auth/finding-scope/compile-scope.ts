// Compiles a principal's identity policies, for one action on findings, into a condition on the store query: the
// findings the policies allow, exactly, so that searches, counts, aggregations and the stream never see others.
import type { BoundNode, Glob } from '../../query/bound.js';
import { resolveField } from '../../query/fields.js';
import { arnComponents } from '../policy/arn.js';
import { conditionHolds } from '../policy/condition-eval.js';
import { OPERATORS } from '../policy/conditions.js';
import { contextOf, type Context } from '../policy/context.js';
import type { ConditionClause, Policy, RequestContext, Statement } from '../policy/document.js';
import { matchesAction } from '../policy/evaluate.js';
import { resolveValue } from '../policy/variables.js';
import { globOf, matchGlob } from '../policy/wildcard.js';
import { SEVERITY_BANDS, bandRank } from '../../findings/severity.js';
import { FINDING_KEYS, RESOURCE_TAG_PREFIX, isFindingKey } from './finding-keys.js';

/** A policy the store query cannot express exactly; the request is refused rather than answered approximately. */
export class ScopeError extends Error {
  readonly code = 'POLICY_NOT_ENFORCEABLE';
}

export interface ScopeRequest {
  /** The caller's identity policies (a user's own and its groups', or a role's). */
  readonly policies: readonly Policy[];
  /** Session policies of temporary credentials: the scope is also limited to what they allow. */
  readonly sessionPolicies?: readonly Policy[] | undefined;
  /** A `yagura:…` action on findings, e.g. `yagura:SearchFindings`. */
  readonly action: string;
  /** Request-level keys (`aws:SourceIp`, `aws:CurrentTime`, `aws:username`, `aws:PrincipalTag/…`). */
  readonly context: RequestContext;
  /** Catalog accounts with their tags, for `aws:ResourceTag/…`; an account absent here has no tags. */
  readonly accountTags: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

const ALL: BoundNode = { kind: 'all' };
const NONE: BoundNode = { kind: 'in', field: textField('accountId'), values: [] };

function textField(name: 'accountId' | 'region' | 'type' | 'id'): Extract<BoundNode, { kind: 'in' }>['field'] {
  const field = resolveField(name);
  if (field.kind !== 'column') throw new TypeError(`${name} is not a catalogue column`);
  return field;
}

const isAll = (n: BoundNode): boolean => n.kind === 'all';
const isNone = (n: BoundNode): boolean => n.kind === 'in' && n.values.length === 0;

function and(nodes: readonly BoundNode[]): BoundNode {
  const kept: BoundNode[] = [];
  for (const n of nodes) {
    if (isNone(n)) return NONE;
    if (isAll(n)) continue;
    kept.push(...(n.kind === 'and' ? n.children : [n]));
  }
  return kept.length === 0 ? ALL : kept.length === 1 ? kept[0]! : { kind: 'and', children: kept };
}

function or(nodes: readonly BoundNode[]): BoundNode {
  const kept: BoundNode[] = [];
  for (const n of nodes) {
    if (isAll(n)) return ALL;
    if (isNone(n)) continue;
    kept.push(...(n.kind === 'or' ? n.children : [n]));
  }
  return kept.length === 0 ? NONE : kept.length === 1 ? kept[0]! : { kind: 'or', children: kept };
}

function not(node: BoundNode): BoundNode {
  if (isAll(node)) return NONE;
  if (isNone(node)) return ALL;
  return node.kind === 'not' ? node.child : { kind: 'not', child: node };
}

/** A text column tested against a glob: exact values become an IN list, a lone `*` everything. */
function textGlob(name: 'accountId' | 'region' | 'type' | 'id', glob: Glob): BoundNode {
  const field = textField(name);
  if (glob.length === 1 && glob[0]!.kind === 'star') return ALL;
  if (glob.every((t) => t.kind === 'text')) return { kind: 'in', field, values: [glob.map((t) => (t.kind === 'text' ? t.text : '')).join('')] };
  return { kind: 'text', field, test: { kind: 'glob', glob } };
}

const FIELD_OF_KEY: Readonly<Record<string, 'accountId' | 'region' | 'type'>> = {
  [FINDING_KEYS.account]: 'accountId',
  [FINDING_KEYS.region]: 'region',
  [FINDING_KEYS.type]: 'type',
};

const VARIABLE_KEY = /\$\{\s*([^\s,'{}$]+)/g;

/** Refuses a policy value whose variable names a key of the finding: the value would differ per finding. */
function checkVariables(text: string, where: string): void {
  for (const m of text.matchAll(VARIABLE_KEY)) {
    if (isFindingKey(m[1]!)) throw new ScopeError(`${where}: the policy variable \${${m[1]}} depends on the finding and cannot be enforced on a search`);
  }
}

interface Place {
  readonly policy: Policy;
  readonly where: string;
  readonly context: Context;
}

/** One ARN pattern of `Resource`/`NotResource` as a condition on findings. */
function resourcePattern(pattern: string, place: Place): BoundNode {
  checkVariables(pattern, place.where);
  if (pattern === '*') return ALL;
  const glob = resolveValue(pattern, place.policy.version, place.context, true);
  if (glob === undefined) return NONE;
  const segments = arnComponents(glob);
  const star = (g: Glob): boolean => g.length > 0 && g.every((t) => t.kind === 'star');
  const last = segments[segments.length - 1]!;
  if (segments.length < 6) {
    // Fewer than six components: the last one runs over the rest of the ARN, which only `*` can be enforced on.
    if (!star(last)) throw new ScopeError(`${place.where}: the resource pattern ${JSON.stringify(pattern)} must end with "*" or name all six parts of a finding's ARN`);
    const [arn, partition, service, region, account] = segments.slice(0, -1);
    if ((arn && !matchGlob(arn, 'arn')) || (service && !matchGlob(service, 'guardduty'))) return NONE;
    return and([partition ? partitionCondition(partition) : ALL, region ? textGlob('region', region) : ALL, account ? textGlob('accountId', account) : ALL]);
  }
  const [arn, partition, service, region, account, resource] = segments as [Glob, Glob, Glob, Glob, Glob, Glob];
  if (!matchGlob(arn, 'arn') || !matchGlob(service, 'guardduty')) return NONE;
  return and([partitionCondition(partition), textGlob('region', region), textGlob('accountId', account), findingPart(resource, pattern, place)]);
}

/** The partition is a function of the region (`aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`, else `aws`). */
function partitionCondition(glob: Glob): BoundNode {
  const china = matchGlob(glob, 'aws-cn');
  const govCloud = matchGlob(glob, 'aws-us-gov');
  const commercial = matchGlob(glob, 'aws');
  const inChina = textGlob('region', globOf('cn-*'));
  const inGovCloud = textGlob('region', globOf('us-gov-*'));
  return or([
    china ? inChina : NONE,
    govCloud ? inGovCloud : NONE,
    commercial ? and([not(inChina), not(inGovCloud)]) : NONE,
  ]);
}

// The resource part `detector/DETECTOR/finding/ID`: only a lone star, or any detector followed by an id pattern
// (`detector/` star `/finding/ID`), can be enforced.
function findingPart(glob: Glob, pattern: string, place: Place): BoundNode {
  if (glob.length > 0 && glob.every((t) => t.kind === 'star')) return ALL;
  const [head, star, middle, ...rest] = glob;
  if (head?.kind === 'text' && head.text === 'detector/' && star?.kind === 'star' && middle?.kind === 'text' && middle.text.startsWith('/finding/')) {
    const tail = middle.text.slice('/finding/'.length);
    const id: Glob = [...(tail === '' ? [] : [{ kind: 'text' as const, text: tail }]), ...rest];
    // Finding ids hold no `/`, so the detector's `*` cannot reach into the id: matching the id alone is exact.
    if (!id.some((t) => t.kind === 'text' && t.text.includes('/'))) return id.length === 0 ? NONE : textGlob('id', id);
  }
  throw new ScopeError(`${place.where}: the resource pattern ${JSON.stringify(pattern)} names a detector; write findings as arn:aws:guardduty:REGION:ACCOUNT:detector/*/finding/ID`);
}

/** One condition clause as a condition on findings (or a constant, for request-level keys). */
function clause(c: ConditionClause, place: Place, accountTags: ScopeRequest['accountTags']): BoundNode {
  const key = c.key.toLowerCase();
  const where = `${place.where}.Condition.${c.operator.name}.${c.key}`;
  for (const v of c.values) checkVariables(v, where);
  if (!isFindingKey(key)) return conditionHolds(c, place.policy.version, place.context) ? ALL : NONE;
  const def = OPERATORS[c.operator.base]!;
  // Finding keys are single-valued and always present (tags aside), so IfExists and set qualifiers change nothing
  // but for Null, which presence alone decides: ask the evaluator with the key present.
  const holdsWith = (value: string): boolean => conditionHolds(c, place.policy.version, new Map(place.context).set(key, [value]));

  if (key.startsWith(RESOURCE_TAG_PREFIX)) return tagClause(c, place, accountTags);
  // Four bands: the evaluator itself decides each, whatever the operator.
  if (key === FINDING_KEYS.band) return or(SEVERITY_BANDS.map((band) => (holdsWith(band) ? { kind: 'band', field: bandField(), op: '=', rank: bandRank(band) } : NONE)));
  if (def.family === 'Null') return holdsWith('x') ? ALL : NONE;
  if (key === FINDING_KEYS.severity) {
    if (def.family !== 'Numeric') throw new ScopeError(`${where}: yagura:FindingSeverity is a number; use a Numeric operator`);
    const numbers = c.values.map(Number);
    const base = c.operator.base.replace('NotEquals', 'Equals');
    const op = ({ NumericEquals: '=', NumericLessThan: '<', NumericLessThanEquals: '<=', NumericGreaterThan: '>', NumericGreaterThanEquals: '>=' } as const)[base as 'NumericEquals'];
    const matches = or(numbers.map((value) => ({ kind: 'number', field: severityField(), op, value }) as BoundNode));
    return def.negated ? not(matches) : matches;
  }
  const name = FIELD_OF_KEY[key]!;
  if (def.family !== 'String') throw new ScopeError(`${where}: ${c.operator.base} cannot be enforced on ${c.key}; use a String operator`);
  const patterns = c.values.map((v) => resolveValue(v, place.policy.version, place.context, def.wildcards));
  // A value whose variable the request cannot fill makes the clause false, as the evaluator decides.
  if (patterns.some((p) => p === undefined)) return NONE;
  const text = (g: Glob): string => g.map((t) => (t.kind === 'text' ? t.text : t.kind === 'star' ? '*' : '?')).join('');
  let matches: BoundNode;
  if (c.operator.base.includes('IgnoreCase')) {
    matches = { kind: 'text', field: textField(name), test: { kind: 'equals-ignore-case', lowered: patterns.map((p) => text(p!).toLowerCase()) } };
  } else if (def.wildcards) {
    matches = or(patterns.map((p) => textGlob(name, p!)));
  } else {
    matches = { kind: 'in', field: textField(name), values: patterns.map((p) => text(p!)) };
  }
  return def.negated ? not(matches) : matches;
}

/** `aws:ResourceTag/<key>`: the evaluator decides each catalog account; accounts outside the catalog have no tags. */
function tagClause(c: ConditionClause, place: Place, accountTags: ScopeRequest['accountTags']): BoundNode {
  const tagKey = c.key.slice(RESOURCE_TAG_PREFIX.length).toLowerCase();
  const holds = (tags: Readonly<Record<string, string>>): boolean => {
    const found = Object.entries(tags).find(([k]) => k.toLowerCase() === tagKey);
    const context = new Map(place.context);
    if (found !== undefined) context.set(c.key.toLowerCase(), [found[1]]);
    return conditionHolds(c, place.policy.version, context);
  };
  const untagged = holds({});
  const differing = [...accountTags].filter(([, tags]) => holds(tags) !== untagged).map(([account]) => account);
  const listed: BoundNode = { kind: 'in', field: textField('accountId'), values: differing };
  return untagged ? not(listed) : listed;
}

function bandField(): Extract<BoundNode, { kind: 'band' }>['field'] {
  const f = resolveField('band');
  if (f.kind !== 'column') throw new TypeError('band');
  return f;
}

function severityField(): Extract<BoundNode, { kind: 'number' }>['field'] {
  const f = resolveField('severity');
  if (f.kind !== 'column') throw new TypeError('severity');
  return f;
}

/** The findings one statement covers for the action, or NONE when it does not apply to it. */
function statementScope(s: Statement, place: Place, request: ScopeRequest): BoundNode {
  if (s.action && !matchesAction(s.action, request.action)) return NONE;
  if (s.notAction && matchesAction(s.notAction, request.action)) return NONE;
  const parts: BoundNode[] = [];
  if (s.resource) parts.push(or(s.resource.map((r) => resourcePattern(r, { ...place, where: `${place.where}.Resource` }))));
  if (s.notResource) parts.push(not(or(s.notResource.map((r) => resourcePattern(r, { ...place, where: `${place.where}.NotResource` })))));
  for (const c of s.conditions) {
    parts.push(clause(c, place, request.accountTags));
    if (isNone(parts[parts.length - 1]!)) return NONE;
  }
  return and(parts);
}

/**
 * The findings `request.policies` allow `request.action` on: (any Allow) and not (any Deny), each statement its
 * Resource patterns and conditions, as AWS evaluates identity policies within one account. `{kind:'all'}` when
 * they allow every finding, an empty account list when none. Throws ScopeError for what cannot be enforced exactly.
 */
export function compileFindingScope(request: ScopeRequest): BoundNode {
  const context = contextOf(request.context);
  const allowed = (policies: readonly Policy[], label: string): BoundNode => {
    const allows: BoundNode[] = [];
    const denies: BoundNode[] = [];
    policies.forEach((policy, p) => {
      for (const s of policy.statements) {
        const place = { policy, context, where: `${label}[${p}].Statement[${s.index}]` };
        (s.effect === 'Allow' ? allows : denies).push(statementScope(s, place, request));
      }
    });
    return and([or(allows), not(or(denies))]);
  };
  const identity = allowed(request.policies, 'identity');
  // Session policies only narrow: a finding must be allowed by both (an explicit deny in either excludes it).
  return request.sessionPolicies === undefined ? identity : and([identity, allowed(request.sessionPolicies, 'session')]);
}

/**
 * The request keys the policies read (in conditions and in policy variables), lower-cased: a compiled scope depends
 * on the request only through them, so scopes can be reused across requests that agree on them.
 */
export function requestKeysOf(policies: readonly Policy[]): readonly string[] {
  const keys = new Set<string>();
  const variables = (text: string): void => {
    for (const m of text.matchAll(VARIABLE_KEY)) keys.add(m[1]!.toLowerCase());
  };
  for (const policy of policies) {
    for (const s of policy.statements) {
      for (const r of [...(s.resource ?? []), ...(s.notResource ?? [])]) variables(r);
      for (const c of s.conditions) {
        if (!isFindingKey(c.key)) keys.add(c.key.toLowerCase());
        for (const v of c.values) variables(v);
      }
    }
  }
  return [...keys].sort();
}

type ScopeCache = Map<string, BoundNode>;
interface CacheEntry {
  readonly keys: readonly string[];
  readonly byTags: WeakMap<object, ScopeCache>;
}
const NO_SESSION: readonly Policy[] = [];
/** Per identity policy set, then per session policy set (NO_SESSION without one). */
const caches = new WeakMap<readonly Policy[], WeakMap<readonly Policy[], CacheEntry>>();
const MAX_CACHED_SCOPES = 64;

/**
 * compileFindingScope, remembered per policy set (the resolver hands out the same array until an administrative
 * change), per catalog tag map (the catalog hands out the same map until it changes) and per the values of the
 * request keys the policies read. ScopeErrors are not remembered: they are thrown again.
 */
export function cachedFindingScope(request: ScopeRequest): BoundNode {
  let bySession = caches.get(request.policies);
  if (bySession === undefined) caches.set(request.policies, (bySession = new WeakMap()));
  const session = request.sessionPolicies ?? NO_SESSION;
  let entry = bySession.get(session);
  if (entry === undefined) bySession.set(session, (entry = { keys: requestKeysOf([...request.policies, ...session]), byTags: new WeakMap() }));
  let cache = entry.byTags.get(request.accountTags);
  if (cache === undefined) entry.byTags.set(request.accountTags, (cache = new Map()));
  const context = contextOf(request.context);
  const key = JSON.stringify([request.action, entry.keys.map((k) => context.get(k) ?? null)]);
  const known = cache.get(key);
  if (known !== undefined) return known;
  const scope = compileFindingScope(request);
  if (cache.size >= MAX_CACHED_SCOPES) cache.clear();
  cache.set(key, scope);
  return scope;
}

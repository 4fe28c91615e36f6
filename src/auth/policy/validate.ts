// Parses and validates an IAM policy document into a typed Policy, or lists its problems, each naming the element.
import { OPERATORS, checkValue } from './conditions.js';
import type { ConditionClause, ConditionOperator, Effect, Policy, PolicyKind, PolicyVersion, PrincipalSet, SetQualifier, Statement } from './document.js';
import { POLICY_LIMITS } from './limits.js';
import { PolicyError } from './policy-error.js';
import { checkVariables } from './variables.js';

export type ValidationResult = { readonly ok: true; readonly policy: Policy } | { readonly ok: false; readonly problems: readonly string[] };

const VERSIONS: readonly string[] = ['2012-10-17', '2008-10-17'];
const TOP_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);
const PRINCIPAL_KEYS: Readonly<Record<string, keyof Omit<PrincipalSet, 'any'>>> = { AWS: 'aws', Service: 'service', Federated: 'federated', CanonicalUser: 'canonicalUser' };
const ACTION = /^[\w.-]+:[\w*?.-]+$/;
/** `service:name`; an OIDC provider's keys are prefixed with its issuer's host and path (`host/realms/x:sub`). */
const CONDITION_KEY = /^[\w.-]+(\/[\w.~-]+)*:\S.*$/;
const PRINCIPAL_ARN = /^arn:[\w-]+:(iam|sts)::[^:*?]*:[^*?]+$/;

type Problems = string[];

function show(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string or a non-empty array of strings, as IAM accepts for Action, Resource and principal lists. */
function stringList(value: unknown, path: string, problems: Problems): string[] | undefined {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    problems.push(`${path}: must be a string or a non-empty array of strings`);
    return undefined;
  }
  if (list.length > POLICY_LIMITS.maxValuesPerElement) {
    problems.push(`${path}: ${list.length} values is over the limit of ${POLICY_LIMITS.maxValuesPerElement}`);
    return undefined;
  }
  const out: string[] = [];
  list.forEach((item, i) => {
    const at = itemPath(path, value, i);
    if (typeof item !== 'string' || item === '') problems.push(`${at}: must be a non-empty string`);
    else if (item.length > POLICY_LIMITS.maxStringLength) problems.push(`${at}: longer than ${POLICY_LIMITS.maxStringLength} characters`);
    else out.push(item);
  });
  return out.length === list.length ? out : undefined;
}

/** The path of item `i` of an element written as `raw`: `Action[1]` for an array, `Action` for a lone string. */
function itemPath(path: string, raw: unknown, i: number): string {
  return Array.isArray(raw) ? `${path}[${i}]` : path;
}

function checkActions(actions: string[], raw: unknown, path: string, problems: Problems): void {
  actions.forEach((action, i) => {
    if (action !== '*' && !ACTION.test(action)) problems.push(`${itemPath(path, raw, i)}: ${show(action)} is not an action (write service:ActionName, wildcards allowed, or "*")`);
  });
}

function checkResources(resources: string[], raw: unknown, path: string, version: PolicyVersion, problems: Problems): void {
  resources.forEach((resource, i) => {
    const at = itemPath(path, raw, i);
    if (resource !== '*' && !(resource.startsWith('arn:') && resource.split(':').length >= 6)) {
      problems.push(`${at}: ${show(resource)} is not an ARN (arn:partition:service:region:account:resource) or "*"`);
      return;
    }
    const variableProblem = version === '2012-10-17' ? checkVariables(resource) : undefined;
    if (variableProblem) problems.push(`${at}: ${variableProblem}`);
  });
}

function principalSet(value: unknown, path: string, problems: Problems): PrincipalSet | undefined {
  if (value === '*') return { any: true, aws: [], service: [], federated: [], canonicalUser: [] };
  if (!isObject(value) || Object.keys(value).length === 0) {
    problems.push(`${path}: must be "*" or an object with AWS, Service, Federated or CanonicalUser`);
    return undefined;
  }
  const set = { any: false, aws: [] as string[], service: [] as string[], federated: [] as string[], canonicalUser: [] as string[] };
  for (const [key, raw] of Object.entries(value)) {
    const field = Object.hasOwn(PRINCIPAL_KEYS, key) ? PRINCIPAL_KEYS[key] : undefined;
    if (!field) {
      problems.push(`${path}: unknown principal type ${show(key)} (use AWS, Service, Federated or CanonicalUser)`);
      continue;
    }
    const list = stringList(raw, `${path}.${key}`, problems) ?? [];
    if (field === 'aws') {
      list.forEach((p, i) => {
        if (p === '*') set.any = true;
        else if (!/^\d{12}$/.test(p) && !PRINCIPAL_ARN.test(p)) problems.push(`${itemPath(`${path}.AWS`, raw, i)}: ${show(p)} is not "*", an account id or an IAM principal ARN (no wildcards)`);
      });
    }
    set[field].push(...list);
  }
  return set;
}

function parseOperator(name: string): ConditionOperator | undefined {
  const qualified = /^(ForAnyValue|ForAllValues):(.+)$/.exec(name);
  let base = qualified ? qualified[2]! : name;
  let ifExists = false;
  if (!Object.hasOwn(OPERATORS, base) && base.endsWith('IfExists')) {
    base = base.slice(0, -'IfExists'.length);
    ifExists = true;
  }
  if (!Object.hasOwn(OPERATORS, base)) return undefined;
  if (base === 'Null' && (ifExists || qualified)) return undefined;
  return { name, base, ifExists, ...(qualified && { qualifier: qualified[1] as SetQualifier }) };
}

function conditions(value: unknown, path: string, version: PolicyVersion, problems: Problems): ConditionClause[] {
  if (!isObject(value) || Object.keys(value).length === 0) {
    problems.push(`${path}: must be an object of condition operators`);
    return [];
  }
  const clauses: ConditionClause[] = [];
  for (const [name, block] of Object.entries(value)) {
    const operator = parseOperator(name);
    if (!operator) {
      problems.push(`${path}: unknown operator ${show(name)}`);
      continue;
    }
    const at = `${path}.${name}`;
    if (!isObject(block) || Object.keys(block).length === 0) {
      problems.push(`${at}: must be an object of condition keys and values`);
      continue;
    }
    const def = OPERATORS[operator.base]!;
    for (const [key, raw] of Object.entries(block)) {
      const keyAt = `${at}[${show(key)}]`;
      if (!CONDITION_KEY.test(key) || key.length > POLICY_LIMITS.maxStringLength) {
        problems.push(`${keyAt}: a condition key is written service:name, e.g. aws:SourceIp`);
        continue;
      }
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0 || list.length > POLICY_LIMITS.maxValuesPerElement || !list.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
        problems.push(`${keyAt}: a condition value must be a string, number or boolean, or a non-empty array of them (at most ${POLICY_LIMITS.maxValuesPerElement}), not nested further`);
        continue;
      }
      const values = list.map((v) => String(v));
      values.forEach((v, i) => {
        const problem = v.length > POLICY_LIMITS.maxStringLength
          ? `longer than ${POLICY_LIMITS.maxStringLength} characters`
          : (def.variables && version === '2012-10-17' ? checkVariables(v) : undefined) ?? checkValue(def.family, v);
        if (problem) problems.push(`${itemPath(keyAt, raw, i)}: ${problem}`);
      });
      clauses.push({ operator, key, values });
    }
  }
  return clauses;
}

function statement(raw: unknown, index: number, kind: PolicyKind, version: PolicyVersion, sids: Set<string>, problems: Problems): Statement | undefined {
  const path = `Statement[${index}]`;
  if (!isObject(raw)) {
    problems.push(`${path}: must be an object`);
    return undefined;
  }
  if (Object.keys(raw).length === 0) {
    problems.push(`${path}: the statement is empty (it needs Effect, Action and${kind === 'resource' ? ' Principal' : ' Resource'})`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(raw)) if (!STATEMENT_ELEMENTS.has(key)) problems.push(`${path}: unknown element ${show(key)}`);
  const { Sid: sid, Effect: effect } = raw;
  if (sid !== undefined) {
    if (typeof sid !== 'string' || sid.length > 128) problems.push(`${path}.Sid: must be a string of at most 128 characters`);
    else if (kind === 'identity' && !/^[A-Za-z0-9]*$/.test(sid)) problems.push(`${path}.Sid: ${show(sid)} must be letters and digits only in an identity policy`);
    else if (sid !== '' && sids.has(sid)) problems.push(`${path}.Sid: ${show(sid)} is used by an earlier statement; Sids must be unique`);
    else sids.add(sid);
  }
  if (effect !== 'Allow' && effect !== 'Deny') problems.push(`${path}.Effect: must be "Allow" or "Deny"`);

  const pair = (a: string, b: string, required: boolean): [string, unknown] | undefined => {
    if (Object.hasOwn(raw, a) && Object.hasOwn(raw, b)) problems.push(`${path}: has both ${a} and ${b}; use one`);
    else if (Object.hasOwn(raw, a)) return [a, raw[a]];
    else if (Object.hasOwn(raw, b)) return [b, raw[b]];
    else if (required) problems.push(`${path}: needs ${a} or ${b}`);
    return undefined;
  };
  const action = pair('Action', 'NotAction', true);
  const resource = pair('Resource', 'NotResource', kind === 'identity');
  const principal = kind === 'resource' ? pair('Principal', 'NotPrincipal', true) : undefined;
  if (kind === 'identity') for (const key of ['Principal', 'NotPrincipal']) if (Object.hasOwn(raw, key)) problems.push(`${path}.${key}: an identity policy cannot name a principal (only resource policies do)`);

  const actions = action && stringList(action[1], `${path}.${action[0]}`, problems);
  if (action && actions) checkActions(actions, action[1], `${path}.${action[0]}`, problems);
  const resources = resource && stringList(resource[1], `${path}.${resource[0]}`, problems);
  if (resource && resources) checkResources(resources, resource[1], `${path}.${resource[0]}`, version, problems);
  const principals = principal && principalSet(principal[1], `${path}.${principal[0]}`, problems);
  const clauses = raw.Condition === undefined ? [] : conditions(raw.Condition, `${path}.Condition`, version, problems);
  if (problems.length > before) return undefined;
  return {
    index,
    ...(typeof sid === 'string' && sid !== '' && { sid }),
    effect: effect as Effect,
    ...(action![0] === 'Action' ? { action: actions! } : { notAction: actions! }),
    ...(resource && (resource[0] === 'Resource' ? { resource: resources! } : { notResource: resources! })),
    ...(principal && (principal[0] === 'Principal' ? { principal: principals! } : { notPrincipal: principals! })),
    conditions: clauses,
  };
}

function pathStep(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (path === '') return key;
  return /^[A-Za-z]+$/.test(key) ? `${path}.${key}` : `${path}[${show(key)}]`;
}

/**
 * The element where `input` nests deeper than any policy can, or undefined. Iterative, so that hostile nesting
 * (a body of 100,000 brackets) cannot overflow the stack of the recursive steps that follow.
 */
function tooDeep(input: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: input, path: '', depth: 1 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > POLICY_LIMITS.maxDepth) return path;
    const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries) stack.push({ value: child, path: pathStep(path, key), depth: depth + 1 });
  }
  return undefined;
}

/** Validates a parsed JSON document as a policy of `kind`; every problem names its element. */
export function validatePolicy(input: unknown, kind: PolicyKind): ValidationResult {
  if (!isObject(input)) return { ok: false, problems: ['Policy: a policy document must be a JSON object'] };
  const deep = tooDeep(input);
  if (deep !== undefined) return { ok: false, problems: [`${deep}: nested deeper than a policy can be (${POLICY_LIMITS.maxDepth} levels of JSON)`] };
  const statements = Array.isArray(input.Statement) ? input.Statement : isObject(input.Statement) ? [input.Statement] : undefined;
  if (statements && statements.length > POLICY_LIMITS.maxStatements) {
    return { ok: false, problems: [`Statement: ${statements.length} statements is over the limit of ${POLICY_LIMITS.maxStatements}`] };
  }
  const limit = kind === 'identity' ? POLICY_LIMITS.maxIdentityPolicyBytes : POLICY_LIMITS.maxResourcePolicyBytes;
  const size = Buffer.byteLength(JSON.stringify(input));
  if (size > limit) return { ok: false, problems: [`Policy: the document is ${size} bytes without whitespace, over the ${limit}-byte limit for ${kind} policies`] };

  const problems: Problems = [];
  for (const key of Object.keys(input)) if (!TOP_ELEMENTS.has(key)) problems.push(`Policy: unknown element ${show(key)}`);
  const version = input.Version ?? '2008-10-17';
  if (typeof version !== 'string' || !VERSIONS.includes(version)) {
    problems.push(`Version: ${typeof version === 'string' ? show(version) : 'a non-string'} is not an IAM policy version (use "2012-10-17" or "2008-10-17")`);
  }
  if (input.Id !== undefined && typeof input.Id !== 'string') problems.push('Id: must be a string');
  if (input.Statement === undefined) problems.push('Statement: a policy needs a Statement');
  else if (!statements) problems.push('Statement: must be an object or an array of objects');
  else if (statements.length === 0) problems.push('Statement: a policy needs at least one statement');
  if (problems.length > 0) return { ok: false, problems };

  const sids = new Set<string>();
  const typed = statements!.map((s, i) => statement(s, i, kind, version as PolicyVersion, sids, problems));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, policy: { version: version as PolicyVersion, kind, statements: typed as Statement[] } };
}

/** Parses policy JSON text, then validates it; the raw text is bounded before parsing. */
export function parsePolicy(text: string, kind: PolicyKind): ValidationResult {
  const limit = kind === 'identity' ? POLICY_LIMITS.maxIdentityPolicyBytes : POLICY_LIMITS.maxResourcePolicyBytes;
  // Whitespace does not count toward IAM's limit, but text this much larger cannot be a policy within it.
  if (Buffer.byteLength(text) > limit * 8) return { ok: false, problems: [`Policy: the document is over the ${limit}-byte limit for ${kind} policies`] };
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    return { ok: false, problems: ['Policy: the document is not valid JSON'] };
  }
  return validatePolicy(input, kind);
}

/** Like validatePolicy, but throws the first problem as a PolicyError. */
export function policyOrThrow(input: unknown, kind: PolicyKind): Policy {
  const result = validatePolicy(input, kind);
  if (!result.ok) throw new PolicyError(result.problems[0]!);
  return result.policy;
}

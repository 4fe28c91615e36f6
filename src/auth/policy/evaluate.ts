// AWS's policy evaluation logic for identity and resource policies: explicit deny wins; within one account either
// kind of policy may allow; across accounts both must; otherwise the request is implicitly denied.
import { arnAccount, matchArn } from './arn.js';
import { conditionHolds } from './condition-eval.js';
import { contextOf, type Context } from './context.js';
import type { Policy, RequestContext, Statement } from './document.js';
import { matchPrincipal, principalAccount, type PrincipalMatch } from './principal.js';
import { resolveValue } from './variables.js';
import { globOf, matchGlob } from './wildcard.js';

export type Decision = 'allowed' | 'explicit_deny' | 'implicit_deny';

export interface EvaluationRequest {
  /** The requester's ARN (an account id, a service or federated principal also work for resource policies). */
  readonly principal: string;
  readonly action: string;
  /** The resource's ARN, or `*` for actions on no particular resource. */
  readonly resource: string;
  readonly context: RequestContext;
  /** The resource's account when its ARN names none (an S3 bucket's, say); otherwise the principal's is assumed. */
  readonly resourceAccount?: string;
}

export interface PolicySet {
  readonly identity: readonly Policy[];
  readonly resource?: Policy;
  /**
   * Session policies of temporary credentials: they only narrow. What they do not allow is implicitly denied
   * whatever the identity and resource policies say, and their denies are explicit denies.
   */
  readonly session?: readonly Policy[];
}

export interface MatchedStatement {
  /** `identity[0]`, `identity[1]`, …, `resource`, or `session[0]`, …. */
  readonly policy: string;
  readonly sid: string | null;
  /** Index in the policy's Statement list, for statements without a Sid. */
  readonly statement: number;
}

export interface Evaluation {
  readonly decision: Decision;
  /** The statements that decided: the matching denies, or the matching allows; none for an implicit deny. */
  readonly matchedStatements: readonly MatchedStatement[];
}

interface Hit {
  readonly policy: string;
  readonly statement: Statement;
  readonly via: PrincipalMatch;
}

/** Whether an `Action`/`NotAction` list names the action (action names compare without case). */
export function matchesAction(patterns: readonly string[], action: string): boolean {
  // Action names compare case-insensitively in IAM.
  return patterns.some((p) => matchGlob(globOf(p), action, true));
}

function matchesResource(patterns: readonly string[], policy: Policy, resource: string, context: Context): boolean {
  return patterns.some((p) => {
    if (p === '*') return true;
    const glob = resolveValue(p, policy.version, context, true);
    return glob !== undefined && matchArn(glob, resource);
  });
}

function applies(statement: Statement, policy: Policy, request: EvaluationRequest, context: Context): PrincipalMatch {
  let via: PrincipalMatch = 'principal';
  if (statement.principal) via = matchPrincipal(statement.principal, request.principal);
  if (statement.notPrincipal) via = matchPrincipal(statement.notPrincipal, request.principal) === 'none' ? 'principal' : 'none';
  if (via === 'none') return 'none';
  if (statement.action && !matchesAction(statement.action, request.action)) return 'none';
  if (statement.notAction && matchesAction(statement.notAction, request.action)) return 'none';
  if (statement.resource && !matchesResource(statement.resource, policy, request.resource, context)) return 'none';
  if (statement.notResource && matchesResource(statement.notResource, policy, request.resource, context)) return 'none';
  if (!statement.conditions.every((c) => conditionHolds(c, policy.version, context))) return 'none';
  return via;
}

function report(hits: readonly Hit[]): MatchedStatement[] {
  return hits.map((h) => ({ policy: h.policy, sid: h.statement.sid ?? null, statement: h.statement.index }));
}

/** Decides a request against the principal's identity policies and the resource's policy. Pure: no I/O, no clock. */
export function evaluate(policies: PolicySet, request: EvaluationRequest): Evaluation {
  const context = contextOf(request.context);
  const hits: Hit[] = [];
  const collect = (policy: Policy, label: string): void => {
    for (const statement of policy.statements) {
      const via = applies(statement, policy, request, context);
      if (via !== 'none') hits.push({ policy: label, statement, via });
    }
  };
  policies.identity.forEach((p, i) => collect(p, `identity[${i}]`));
  if (policies.resource) collect(policies.resource, 'resource');
  policies.session?.forEach((p, i) => collect(p, `session[${i}]`));

  const denies = hits.filter((h) => h.statement.effect === 'Deny');
  if (denies.length > 0) return { decision: 'explicit_deny', matchedStatements: report(denies) };

  const sessionAllows = hits.filter((h) => h.statement.effect === 'Allow' && h.policy.startsWith('session['));
  if (policies.session !== undefined && sessionAllows.length === 0) return { decision: 'implicit_deny', matchedStatements: [] };
  const identityAllows = hits.filter((h) => h.statement.effect === 'Allow' && h.policy.startsWith('identity['));
  const resourceAllows = hits.filter((h) => h.statement.effect === 'Allow' && h.policy === 'resource');
  const fromAccount = principalAccount(request.principal);
  const resourceAccount = arnAccount(request.resource) || request.resourceAccount || fromAccount;
  let allowed: boolean;
  if (fromAccount === undefined) {
    // Service, federated and anonymous principals have no identity policies: only the resource policy can allow.
    allowed = resourceAllows.some((h) => h.via === 'principal');
  } else if (fromAccount === resourceAccount) {
    // A resource policy that names only the account delegates to the account's identity policies.
    allowed = identityAllows.length > 0 || resourceAllows.some((h) => h.via === 'principal');
  } else {
    allowed = identityAllows.length > 0 && resourceAllows.length > 0;
  }
  if (!allowed) return { decision: 'implicit_deny', matchedStatements: [] };
  return { decision: 'allowed', matchedStatements: report([...identityAllows, ...resourceAllows, ...sessionAllows]) };
}

// What part of the findings a request may read. Until policies compile into a store-query scope, only a principal
// allowed every finding without conditions is answered; any narrower grant is refused, so nobody sees more than
// its policies allow. The body of findingScope is the one place the scope compiler replaces.
import type { FastifyRequest } from 'fastify';
import type { ActionDefinition } from '../auth/actions.js';
import type { Policy, Statement } from '../auth/policy/document.js';
import { globOf, matchGlob } from '../auth/policy/wildcard.js';
import { ApiError } from './api-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authorization hook on routes that read findings. */
    findingScope?: FindingScope;
  }
}

export type FindingScope = 'all';

function matchesAction(statement: Statement, action: string): boolean {
  if (statement.action) return statement.action.some((p) => matchGlob(globOf(p), action, true));
  if (statement.notAction) return !statement.notAction.some((p) => matchGlob(globOf(p), action, true));
  return false;
}

const STARS = /^\*+$/;

/**
 * Whether a Resource pattern matches every finding ARN (`arn:PARTITION:guardduty:REGION:ACCOUNT:detector/D/finding/F`),
 * judged on its text alone: only wildcard components and the accepted resource forms count, so the answer errs
 * towards "no".
 */
export function coversAllFindings(pattern: string): boolean {
  if (STARS.test(pattern)) return true;
  if (pattern.includes('${') || pattern.includes('?')) return false;
  const parts = pattern.split(':');
  if (parts[0] !== 'arn' || parts.length < 2) return false;
  const components = parts.length <= 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(':')];
  const last = components.length - 1;
  return components.every((c, i) => {
    if (i === 0) return true;
    if (STARS.test(c)) return true;
    if (i === last && i < 5) return false;
    if (i === 2) return c === 'guardduty';
    if (i === 5) return /^detector\/\*+(\/finding\/\*+)?$/.test(c);
    return false;
  });
}

function allowsEveryFinding(policies: readonly Policy[], action: string): boolean {
  const statements = policies.flatMap((p) => p.statements);
  if (statements.some((s) => s.effect === 'Deny' && matchesAction(s, action))) return false;
  return statements.some((s) => s.effect === 'Allow' && s.conditions.length === 0 && matchesAction(s, action) && (s.resource ?? []).some(coversAllFindings));
}

/** The findings `action` may touch for this request's principal, or 403 ACCESS_DENIED. */
export function findingScope(request: FastifyRequest, action: ActionDefinition): FindingScope {
  const principal = request.principal;
  if (principal === undefined) throw new ApiError(401, 'UNAUTHENTICATED', 'this API needs an API key in "Authorization: Bearer <key>" or "X-Api-Key: <key>"');
  if (allowsEveryFinding(principal.policies, action.name)) return 'all';
  throw new ApiError(403, 'ACCESS_DENIED', `${action.name}: this principal's policies restrict findings; restricted finding access is not available yet`);
}

// The policy simulator: one request (principal, policies, action, resource, context) in, a decision out.
import { z } from 'zod';
import type { Policy, RequestContext } from './document.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { POLICY_LIMITS } from './limits.js';
import { PolicyError } from './policy-error.js';
import { principalAccount } from './principal.js';
import { parsePolicy, validatePolicy } from './validate.js';

const contextScalar = z.union([z.string().max(POLICY_LIMITS.maxStringLength), z.number(), z.boolean()]);

/** The request's shape; the policy documents in it are checked by the policy validator, which names elements. */
export const simulationRequestSchema = z
  .object({
    principal: z.string().min(1).max(2048),
    identityPolicies: z.array(z.unknown()).max(20).default([]),
    resourcePolicy: z.unknown().optional(),
    action: z.string().regex(/^[\w.-]+:[\w.-]+$/, 'an action is written service:ActionName, e.g. glue:GetTable').max(256),
    resource: z.string().max(2048).refine((r) => r === '*' || (r.startsWith('arn:') && r.split(':').length >= 6), 'a resource is an ARN (arn:partition:service:region:account:resource) or "*"'),
    /** The resource's account when its ARN names none (an S3 bucket's): an extension of AWS's simulator input. */
    resourceOwner: z.string().regex(/^\d{12}$/, 'an account id is 12 digits').optional(),
    context: z
      .record(z.string().min(1).max(256), z.union([contextScalar, z.array(contextScalar).max(POLICY_LIMITS.maxValuesPerElement)]))
      .refine((c) => Object.keys(c).length <= 200, 'at most 200 context keys')
      .default({}),
  })
  .strict();

export type SimulationRequest = z.infer<typeof simulationRequestSchema>;

/**
 * The keys AWS puts in every request context, derived from the principal and the clock unless the request sets
 * them: aws:PrincipalArn, aws:PrincipalAccount, aws:username (IAM users), aws:CurrentTime, aws:EpochTime.
 */
function withDerivedKeys(request: SimulationRequest, now: number): RequestContext {
  const given = new Set(Object.keys(request.context).map((k) => k.toLowerCase()));
  const derived: Record<string, string> = {};
  const add = (key: string, value: string | undefined): void => {
    if (value !== undefined && value !== '' && !given.has(key.toLowerCase())) derived[key] = value;
  };
  const { principal } = request;
  if (principal.startsWith('arn:')) add('aws:PrincipalArn', principal);
  add('aws:PrincipalAccount', principalAccount(principal));
  add('aws:username', /^arn:[^:]+:iam::[^:]*:user\/(?:.*\/)?([^/]+)$/.exec(principal)?.[1]);
  add('aws:CurrentTime', new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  add('aws:EpochTime', String(Math.floor(now / 1000)));
  return { ...derived, ...request.context };
}

/** Validates every policy in the request (objects or JSON text) (PolicyError naming the first bad element) and evaluates it. */
export function simulate(request: SimulationRequest, now: number): Evaluation {
  const documents = request.identityPolicies.length + (request.resourcePolicy == null ? 0 : 1);
  const check = (input: unknown, kind: 'identity' | 'resource', label: string): Policy => {
    // AWS's simulator takes policies as JSON text; an object is accepted too.
    const result = typeof input === 'string' ? parsePolicy(input, kind) : validatePolicy(input, kind);
    if (result.ok) return result.policy;
    // With one document the element path alone is unambiguous; with several, say which document.
    throw new PolicyError(documents > 1 ? `${label}: ${result.problems[0]}` : result.problems[0]!);
  };
  const identity = request.identityPolicies.map((p, i) => check(p, 'identity', `identityPolicies[${i}]`));
  const resource = request.resourcePolicy == null ? undefined : check(request.resourcePolicy, 'resource', 'resourcePolicy');
  return evaluate(
    { identity, ...(resource && { resource }) },
    {
      principal: request.principal,
      action: request.action,
      resource: request.resource,
      context: withDerivedKeys(request, now),
      ...(request.resourceOwner !== undefined && { resourceAccount: request.resourceOwner }),
    },
  );
}

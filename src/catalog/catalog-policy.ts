// The catalog's resource policy: an IAM resource policy with AWS Glue's extra rules for a catalog policy —
// principals named one by one (never "*"), resources inside the catalog, at most 10,240 bytes.
import type { Policy } from '../auth/policy/document.js';
import { PolicyError } from '../auth/policy/policy-error.js';
import { validatePolicy } from '../auth/policy/validate.js';

/** Yagura's own principals: a user or a role (groups are not principals, as in IAM). */
const YAGURA_PRINCIPAL = /^arn:yagura:iam:::(user|role)\/[A-Za-z0-9+=,.@_-]{1,64}$/;
const CATALOG_RESOURCE = /^arn:yagura:catalog:::/;

function statementPath(s: { index: number; sid?: string }): string {
  return `Statement[${s.index}]`;
}

/** Validates `document` as the catalog's policy; throws INVALID_POLICY naming the statement and element. */
export function validateCatalogPolicy(document: unknown): Policy {
  const result = validatePolicy(document, 'resource');
  if (!result.ok) throw new PolicyError(result.problems[0]!);
  for (const s of result.policy.statements) {
    const path = statementPath(s);
    if (s.notPrincipal !== undefined) throw new PolicyError(`${path}.NotPrincipal: the catalog policy names its principals with Principal`);
    const p = s.principal;
    if (p === undefined) throw new PolicyError(`${path}.Principal: the catalog policy needs a Principal naming users or roles`);
    if (p.any || p.aws.includes('*')) throw new PolicyError(`${path}.Principal: "*" is not allowed in the catalog policy; name each user or role (arn:yagura:iam:::user/NAME)`);
    if (p.service.length + p.federated.length + p.canonicalUser.length > 0) throw new PolicyError(`${path}.Principal: only "AWS" principals (Yagura users and roles) are allowed`);
    const other = p.aws.find((a) => !YAGURA_PRINCIPAL.test(a));
    if (other !== undefined) throw new PolicyError(`${path}.Principal: ${JSON.stringify(other.slice(0, 200))} is not a Yagura user or role ARN (arn:yagura:iam:::user/NAME or arn:yagura:iam:::role/NAME)`);
    for (const [element, list] of [['Resource', s.resource], ['NotResource', s.notResource]] as const) {
      const outside = list?.find((r) => !CATALOG_RESOURCE.test(r));
      if (outside !== undefined) throw new PolicyError(`${path}.${element}: ${JSON.stringify(outside.slice(0, 200))} is not in the catalog (arn:yagura:catalog:::…)`);
    }
  }
  return result.policy;
}

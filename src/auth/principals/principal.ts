// Who is calling, as the authorization hook sees it: an ARN, tags, and the identity policies in effect.
import type { PolicySet } from '../policy/evaluate.js';
import type { Policy, RequestContext } from '../policy/document.js';
import type { Tags } from './records.js';

/** Temporary credentials a principal acts with (STS): the role session they were issued for. */
export interface RoleSession {
  /** `ASIA…`: names the credentials in the audit log and in revocation. */
  readonly accessKeyId: string;
  readonly sessionName: string;
  /** How the caller proved who they are: `ldap`, `oidc:<provider id>`. */
  readonly source: string;
  readonly expiresAt: number;
}

export interface Principal {
  readonly arn: string;
  readonly kind: 'user' | 'role';
  readonly name: string;
  /** Set for users: `aws:username`. */
  readonly username?: string;
  readonly tags: Tags;
  /** Identity policies in effect: a user's own and its groups'; a role's. */
  readonly policies: readonly Policy[];
  /** Session policies of temporary credentials, which narrow `policies` (never widen). */
  readonly sessionPolicies?: readonly Policy[];
  /** Set when the principal acts through temporary credentials (an assumed role). */
  readonly roleSession?: RoleSession;
  /** Condition keys of the credentials themselves (`aws:FederatedProvider`, `ldap:username`, `jwt:sub`…). */
  readonly sessionContext?: RequestContext;
  /** The key the request presented or the session was opened with. */
  readonly keyId?: string;
  readonly keyPrefix?: string;
  /** Set when the request came with a dashboard session. */
  readonly sessionId?: string;
}

/** The policies that decide for this principal, with a resource's policy when there is one. */
export function policySetOf(principal: Principal, resource?: Policy): PolicySet {
  return {
    identity: principal.policies,
    ...(resource !== undefined && { resource }),
    ...(principal.sessionPolicies !== undefined && { session: principal.sessionPolicies }),
  };
}

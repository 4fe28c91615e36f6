// How a resource policy's Principal names the requester: as that principal itself, or as its whole account.
import { arnAccount } from './arn.js';
import type { PrincipalSet } from './document.js';

/** `account` matches only delegate to the account's own identity policies (see evaluate.ts). */
export type PrincipalMatch = 'none' | 'principal' | 'account';

const ACCOUNT_ID = /^\d{12}$/;

/** The account a principal belongs to: from its ARN, or the principal itself when it is an account id. */
export function principalAccount(principal: string): string | undefined {
  if (ACCOUNT_ID.test(principal)) return principal;
  return arnAccount(principal);
}

/** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` is a session of `arn:aws:iam::ACCOUNT:role/ROLE`. */
function roleOfSession(principal: string): string | undefined {
  const m = /^arn:([\w-]+):sts::([^:]*):assumed-role\/([^/]+)\/[^/]+$/.exec(principal);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : undefined;
}

export function matchPrincipal(set: PrincipalSet, principal: string): PrincipalMatch {
  if (set.any) return 'principal';
  const role = roleOfSession(principal);
  if (set.aws.some((p) => p === principal || p === role)) return 'principal';
  if ([...set.service, ...set.federated, ...set.canonicalUser].includes(principal)) return 'principal';
  const account = principalAccount(principal);
  if (account !== undefined) {
    const partition = principal.split(':')[1];
    const root = `arn:${partition}:iam::${account}:root`;
    if (set.aws.some((p) => p === account || p === root)) return 'account';
  }
  return 'none';
}

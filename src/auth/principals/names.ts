// Names and ARNs of Yagura's principals and managed policies, as IAM spells them.
import { PrincipalError } from './principal-error.js';

/** IAM's character set and length for user, group, role and policy names. */
export const NAME_PATTERN = /^[A-Za-z0-9+=,.@_-]{1,64}$/;

export type PrincipalKind = 'user' | 'group' | 'role';
export type IamResourceKind = PrincipalKind | 'policy' | 'key';

export function iamArn(kind: IamResourceKind, name: string): string {
  return `arn:yagura:iam:::${kind}/${name}`;
}

/** Throws INVALID_NAME naming what the name is for. */
export function checkName(what: string, name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new PrincipalError('INVALID_NAME', `a ${what} name is 1 to 64 characters among A-Z a-z 0-9 + = , . @ _ -`);
  }
}

/** The built-in role the bootstrap key (and every key of the older `ygr_` form) belongs to, and its policy; neither can be changed or deleted. */
export const ADMINISTRATOR_ROLE = 'Administrator';
export const ADMINISTRATOR_POLICY = 'AdministratorAccess';
export const ADMINISTRATOR_DOCUMENT = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } as const;

/** The ARN of a role session (temporary credentials), as STS spells `assumed-role`. */
export function assumedRoleArn(role: string, sessionName: string): string {
  return `arn:yagura:sts:::assumed-role/${role}/${sessionName}`;
}

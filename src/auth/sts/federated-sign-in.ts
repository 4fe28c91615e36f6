// A person proves who they are once — to the directory (LDAP/AD) or with an OIDC token — and receives temporary
// credentials for a role. The role is chosen by the directory role map (LDAP) or allowed by the role's trust
// policy (OIDC); refusals are StsErrors whose `reason` says why for the audit log only.
import type { VerifiedWebIdentity } from '../federation/oidc/verified-web-identity.js';
import type { RequestContext } from '../policy/document.js';
import { evaluate } from '../policy/evaluate.js';
import { validatePolicy } from '../policy/validate.js';
import { iamArn } from '../principals/names.js';
import type { SignInThrottle } from '../../protection/sign-in-throttle.js';
import type { IssuedCredentials, RoleSessions } from './role-sessions.js';
import { StsError } from './sts-error.js';

/** Who the directory says the person is. */
export interface DirectoryIdentity {
  readonly userDn: string;
  readonly username: string;
  readonly groups: readonly string[];
  readonly attributes: Readonly<Record<string, string | undefined>>;
}

export interface Directory {
  /** Throws a refusal carrying `code` (`InvalidCredentials`, `ValidationError`, `DirectoryUnavailable`) and `reason`. */
  authenticate(username: string, password: string): Promise<DirectoryIdentity>;
  /** The roles the user's DN and groups map to. */
  rolesFor(identity: DirectoryIdentity): Promise<readonly string[]>;
}

/** What a verified OIDC token says. */
export type WebIdentity = VerifiedWebIdentity;

export interface WebIdentityVerifier {
  /** Throws a refusal carrying `code` (`InvalidIdentityToken`, `ExpiredTokenException`, `IDPCommunicationError`). */
  verify(token: string, providerId?: string): Promise<WebIdentity>;
  /** The trust-policy condition keys of a verified token (`<issuer>:sub`, `<issuer>:aud`, groups…). */
  contextOf(identity: WebIdentity): RequestContext;
  /** The `Principal: {"Federated": …}` a trust policy names this provider by. */
  federatedPrincipal(identity: WebIdentity): string;
}

export interface RoleTrust {
  /** The role's trust policy document, or undefined when the role does not exist or has none. */
  trustPolicy(roleName: string): Promise<unknown>;
}

export interface LdapSignIn {
  readonly username: string;
  readonly password: string;
  /** Needed only when the user maps to more than one role. */
  readonly roleArn?: string | undefined;
  readonly durationSeconds?: number | undefined;
  readonly policy?: string | undefined;
  readonly sourceIp: string;
}

export interface WebIdentitySignIn {
  readonly token: string;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly durationSeconds?: number | undefined;
  readonly policy?: string | undefined;
  readonly providerId?: string | undefined;
  readonly sourceIp: string;
}

export interface FederationOptions {
  readonly sessions: RoleSessions;
  readonly directory?: Directory | undefined;
  readonly webIdentity?: WebIdentityVerifier | undefined;
  readonly roles: RoleTrust;
  readonly throttle: SignInThrottle;
}

const ROLE_ARN = /^arn:yagura:iam:::role\/([A-Za-z0-9+=,.@_-]{1,64})$/;

/** The role name of `arn:yagura:iam:::role/NAME`, or ValidationError. */
export function roleNameOf(roleArn: string): string {
  const m = ROLE_ARN.exec(roleArn);
  if (m === null) throw new StsError('ValidationError', 'RoleArn must be a Yagura role ARN: arn:yagura:iam:::role/NAME');
  return m[1]!;
}

function refusalCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;
}

function refusalReason(error: unknown): string {
  const reason = typeof error === 'object' && error !== null ? (error as { reason?: unknown }).reason : undefined;
  return typeof reason === 'string' ? reason : error instanceof Error ? error.message : 'refused';
}

/** Directory attributes that become session tags (`aws:PrincipalTag/…`), when present. */
const TAGGED_ATTRIBUTES = ['mail', 'displayName', 'department', 'uid'] as const;

export class FederatedSignIn {
  constructor(private readonly options: FederationOptions) {}

  get ldapEnabled(): boolean {
    return this.options.directory !== undefined;
  }

  get webIdentityEnabled(): boolean {
    return this.options.webIdentity !== undefined;
  }

  /** AssumeRoleWithLDAPIdentity: bind as the user, map the DN and groups to a role, issue credentials for it. */
  async withLdap(request: LdapSignIn): Promise<IssuedCredentials & { readonly identity: DirectoryIdentity }> {
    const directory = this.options.directory;
    if (directory === undefined) throw new StsError('InvalidParameterValue', 'LDAP sign-in is not configured on this server');
    // The password is checked before anything else is said, so that the answer does not tell which names exist.
    if (request.password === '') throw new StsError('ValidationError', 'LDAPPassword must not be empty', 'empty password refused before any bind');
    this.throttled(`ldap:${request.username}`);
    // Checked before the directory is asked, so that a bad RoleArn costs no bind.
    const wanted = request.roleArn === undefined ? undefined : roleNameOf(request.roleArn);
    let identity: DirectoryIdentity;
    try {
      identity = await directory.authenticate(request.username, request.password);
    } catch (error) {
      const code = refusalCode(error);
      if (code === 'DirectoryUnavailable') throw new StsError('ServiceUnavailable', 'the directory could not be reached; try again later', refusalReason(error));
      if (code === 'ValidationError') throw new StsError('ValidationError', error instanceof Error ? error.message : 'the user name is not valid', refusalReason(error));
      this.options.throttle.failed(`ldap:${request.username}`);
      throw new StsError('AccessDenied', 'the user name or password is not valid', refusalReason(error));
    }
    this.options.throttle.succeeded(`ldap:${request.username}`);
    const roles = await directory.rolesFor(identity);
    const role = this.chooseRole(roles, wanted, identity.userDn);
    const tags: Record<string, string> = {};
    for (const name of TAGGED_ATTRIBUTES) {
      const value = identity.attributes[name];
      if (value !== undefined && value !== '') tags[name] = value.slice(0, 256);
    }
    const issued = await this.options.sessions.issue({
      roleName: role,
      sessionName: sessionNameOf(identity.username),
      source: 'ldap',
      subject: identity.userDn,
      durationSeconds: request.durationSeconds,
      sessionPolicy: request.policy,
      tags,
      // MinIO's keys for LDAP identities, and AWS's provider key.
      context: { 'aws:FederatedProvider': 'ldap', 'ldap:username': identity.username, 'ldap:user': identity.userDn, 'ldap:groups': [...identity.groups] },
      sourceIp: request.sourceIp,
    });
    return { ...issued, identity };
  }

  /** AssumeRoleWithWebIdentity: verify the token, let the role's trust policy decide, issue credentials. */
  async withWebIdentity(request: WebIdentitySignIn): Promise<IssuedCredentials & { readonly identity: WebIdentity }> {
    const verifier = this.options.webIdentity;
    if (verifier === undefined) throw new StsError('InvalidParameterValue', 'OpenID Connect sign-in is not configured on this server');
    const roleName = roleNameOf(request.roleArn);
    let identity: WebIdentity;
    try {
      identity = await verifier.verify(request.token, request.providerId);
    } catch (error) {
      const code = refusalCode(error);
      const message = error instanceof Error ? error.message : 'the web identity token is not valid';
      if (code === 'ExpiredTokenException') throw new StsError('ExpiredTokenException', message, refusalReason(error));
      if (code === 'IDPCommunicationError') throw new StsError('IDPCommunicationError', message, refusalReason(error));
      throw new StsError('InvalidIdentityToken', message, refusalReason(error));
    }
    return this.withVerifiedWebIdentity(identity, { ...request, roleName });
  }

  /**
   * Credentials for an identity whose token was already verified (the dashboard's authorization code flow), if
   * the role's trust policy allows it.
   */
  async withVerifiedWebIdentity(
    identity: WebIdentity,
    request: { readonly roleName: string; readonly sessionName: string; readonly durationSeconds?: number | undefined; readonly policy?: string | undefined; readonly sourceIp: string },
  ): Promise<IssuedCredentials & { readonly identity: WebIdentity }> {
    const verifier = this.options.webIdentity;
    if (verifier === undefined) throw new StsError('InvalidParameterValue', 'OpenID Connect sign-in is not configured on this server');
    const roleName = request.roleName;
    const context = verifier.contextOf(identity);
    this.trusted(roleName, await this.options.roles.trustPolicy(roleName), verifier.federatedPrincipal(identity), context, identity.subject);
    const issued = await this.options.sessions.issue({
      roleName,
      sessionName: request.sessionName,
      source: `oidc:${identity.providerId}`,
      subject: `${identity.issuer} ${identity.subject}`,
      durationSeconds: request.durationSeconds,
      sessionPolicy: request.policy,
      // Session tags from the token's `https://aws.amazon.com/tags` claim, as AWS takes them, and the e-mail.
      tags: { ...(identity.email !== undefined && { email: identity.email.slice(0, 256) }), ...identity.sessionTags },
      context: { ...context, 'jwt:sub': identity.subject, 'jwt:iss': identity.issuer },
      sourceIp: request.sourceIp,
    });
    return { ...issued, identity };
  }

  /** The roles whose trust policy lets this token's identity assume them (the dashboard offers these). */
  async trustedRoles(identity: WebIdentity, candidates: readonly string[]): Promise<string[]> {
    const verifier = this.options.webIdentity!;
    const context = verifier.contextOf(identity);
    const allowed: string[] = [];
    for (const role of candidates) {
      try {
        this.trusted(role, await this.options.roles.trustPolicy(role), verifier.federatedPrincipal(identity), context, identity.subject);
        allowed.push(role);
      } catch {
        // Not trusted: not offered.
      }
    }
    return allowed;
  }

  private trusted(roleName: string, document: unknown, principal: string, context: RequestContext, subject: string): void {
    const denied = new StsError('AccessDenied', 'not authorized to perform sts:AssumeRoleWithWebIdentity on this role', `the trust policy of role ${roleName} does not allow ${subject}`);
    if (document === undefined || document === null) throw denied;
    const parsed = validatePolicy(document, 'resource');
    if (!parsed.ok) throw denied;
    const decision = evaluate(
      { identity: [], resource: parsed.policy },
      { principal, action: 'sts:AssumeRoleWithWebIdentity', resource: iamArn('role', roleName), context },
    ).decision;
    if (decision !== 'allowed') throw denied;
  }

  private chooseRole(roles: readonly string[], wanted: string | undefined, userDn: string): string {
    if (roles.length === 0) throw new StsError('AccessDenied', 'this user is not allowed to assume any role', `neither ${userDn} nor its groups map to a role`);
    if (wanted !== undefined) {
      const found = roles.find((r) => r.toLowerCase() === wanted.toLowerCase());
      if (found === undefined) throw new StsError('AccessDenied', 'this user is not allowed to assume that role', `${userDn} does not map to role ${wanted}`);
      return found;
    }
    if (roles.length > 1) throw new StsError('ValidationError', `this user maps to several roles (${roles.join(', ')}); name one with RoleArn`);
    return roles[0]!;
  }

  private throttled(key: string): void {
    const wait = this.options.throttle.retryAfterSeconds(key);
    if (wait > 0) throw new StsError('Throttling', `too many failed sign-ins for this user; try again in ${wait} s`, `throttled: ${wait} s`);
  }
}

/** A RoleSessionName from a directory user name: STS's character set, 2 to 64 characters. */
function sessionNameOf(username: string): string {
  const cleaned = username.replace(/[^\w+=,.@-]/g, '_').slice(0, 64);
  return cleaned.length >= 2 ? cleaned : `${cleaned}__`.slice(0, 2);
}


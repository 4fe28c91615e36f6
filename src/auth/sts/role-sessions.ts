// Temporary credentials for a role: issued after a federated sign-in, resolved on every signed request. A session
// policy only narrows the role's permissions; revoking a session or changing the role applies at the next request.
import { randomBytes, randomInt } from 'node:crypto';
import { hashKey } from '../api-keys.js';
import type { Policy, RequestContext } from '../policy/document.js';
import { parsePolicy } from '../policy/validate.js';
import { assumedRoleArn, iamArn } from '../principals/names.js';
import type { Principal } from '../principals/principal.js';
import type { Tags } from '../principals/records.js';
import type { RoleSessionRecord, RoleSessionStore } from './role-session-store.js';
import { StsError } from './sts-error.js';

/** What seals secret access keys at rest (the master key's box); `context` binds a ciphertext to its row. */
export interface SecretSealer {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

export interface DurationLimits {
  readonly defaultSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
}

export interface IssueRequest {
  readonly roleName: string;
  readonly sessionName: string;
  readonly source: string;
  readonly subject: string;
  readonly durationSeconds?: number | undefined;
  /** The `Policy` parameter as sent: a JSON document that narrows the role's policies. */
  readonly sessionPolicy?: string | undefined;
  readonly tags: Tags;
  readonly context: RequestContext;
  readonly sourceIp: string;
}

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiresAt: number;
  readonly arn: string;
  readonly record: RoleSessionRecord;
}

export type SessionResolution =
  | { readonly ok: true; readonly principal: Principal; readonly secretAccessKey: string; readonly record: RoleSessionRecord }
  /** `unknown` covers a wrong session token too, so that a guess learns nothing about which half was wrong. */
  | { readonly ok: false; readonly reason: 'unknown' | 'expired' | 'revoked' | 'role-gone' };

/** AWS's RoleSessionName: 2 to 64 of `\w+=,.@-`. */
export const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** AWS's limit on a session policy (plain-text characters). */
export const MAX_SESSION_POLICY_BYTES = 2_048;

const ACCESS_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `ASIA` and 16 characters of base32, as AWS's temporary access key IDs look. */
function newAccessKeyId(): string {
  let id = 'ASIA';
  for (let i = 0; i < 16; i++) id += ACCESS_KEY_ALPHABET[randomInt(ACCESS_KEY_ALPHABET.length)];
  return id;
}

export function isTemporaryAccessKeyId(id: string): boolean {
  return /^ASIA[A-Z2-7]{16}$/.test(id);
}

const MAX_PARSED = 10_000;

export class RoleSessions {
  /** Parsed session policies by access key ID: a session's policy never changes, so parsing once is enough. */
  private readonly parsed = new Map<string, Policy>();

  constructor(
    private readonly store: RoleSessionStore,
    private readonly sealer: SecretSealer,
    private readonly roles: { byArn(arn: string): Promise<Principal | undefined> },
    readonly durations: DurationLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** The duration to issue for, or ValidationError naming the bounds. */
  duration(requested: number | undefined): number {
    const seconds = requested ?? Math.min(this.durations.defaultSeconds, this.durations.maxSeconds);
    if (!Number.isInteger(seconds) || seconds < this.durations.minSeconds || seconds > this.durations.maxSeconds) {
      throw new StsError('ValidationError', `DurationSeconds must be an integer from ${this.durations.minSeconds} to ${this.durations.maxSeconds}`);
    }
    return seconds;
  }

  async issue(request: IssueRequest): Promise<IssuedCredentials> {
    if (!SESSION_NAME.test(request.sessionName)) {
      throw new StsError('ValidationError', 'RoleSessionName must be 2 to 64 characters among letters, digits and + = , . @ _ -');
    }
    const seconds = this.duration(request.durationSeconds);
    let sessionPolicy: unknown = null;
    if (request.sessionPolicy !== undefined) {
      if (Buffer.byteLength(request.sessionPolicy, 'utf8') > MAX_SESSION_POLICY_BYTES) {
        throw new StsError('PackedPolicyTooLarge', `the session policy is larger than ${MAX_SESSION_POLICY_BYTES} bytes`);
      }
      const parsed = parsePolicy(request.sessionPolicy, 'identity');
      if (!parsed.ok) throw new StsError('MalformedPolicyDocument', `the session policy is not valid: ${parsed.problems.join('; ')}`);
      sessionPolicy = JSON.parse(request.sessionPolicy) as unknown;
    }
    const role = await this.roles.byArn(iamArn('role', request.roleName));
    if (role === undefined) throw new StsError('AccessDenied', 'the role does not exist or may not be assumed', `role ${request.roleName} does not exist`);
    const at = this.now();
    const accessKeyId = newAccessKeyId();
    const secretAccessKey = randomBytes(30).toString('base64');
    const sessionToken = `ygt_${randomBytes(48).toString('base64url')}`;
    const record: RoleSessionRecord = {
      accessKeyId,
      sealedSecret: this.sealer.seal(secretAccessKey, `sts:${accessKeyId}`),
      tokenHash: hashKey(sessionToken),
      roleName: role.name,
      sessionName: request.sessionName,
      source: request.source,
      subject: request.subject,
      sessionPolicy,
      tags: request.tags,
      context: request.context,
      sourceIp: request.sourceIp,
      createdAt: at,
      expiresAt: at + seconds * 1000,
      revokedAt: null,
    };
    await this.store.insert(record);
    // Issuing is rare next to resolving, so expired sessions are swept here instead of on a timer.
    await this.store.deleteExpired(at - 24 * 3600 * 1000);
    return { accessKeyId, secretAccessKey, sessionToken, expiresAt: record.expiresAt, arn: assumedRoleArn(role.name, request.sessionName), record };
  }

  /**
   * The principal behind an access key ID and session token, as of now: the role's policies read afresh (a
   * changed or deleted role applies at once), narrowed by the session policy.
   */
  async resolve(accessKeyId: string, sessionToken: string | undefined): Promise<SessionResolution> {
    if (!isTemporaryAccessKeyId(accessKeyId)) return { ok: false, reason: 'unknown' };
    const record = await this.store.byAccessKeyId(accessKeyId);
    if (record === undefined || sessionToken === undefined || sessionToken.length > 1024 || hashKey(sessionToken) !== record.tokenHash) {
      return { ok: false, reason: 'unknown' };
    }
    if (record.revokedAt !== null) return { ok: false, reason: 'revoked' };
    if (record.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    const role = await this.roles.byArn(iamArn('role', record.roleName));
    if (role === undefined) return { ok: false, reason: 'role-gone' };
    const secretAccessKey = this.sealer.open(record.sealedSecret, `sts:${record.accessKeyId}`);
    return { ok: true, principal: this.principalOf(role, record), secretAccessKey, record };
  }

  /** The principal of a session already looked up (a dashboard session opened from it), or why it is over. */
  async principalByAccessKeyId(accessKeyId: string): Promise<SessionResolution> {
    const record = await this.store.byAccessKeyId(accessKeyId);
    if (record === undefined) return { ok: false, reason: 'unknown' };
    if (record.revokedAt !== null) return { ok: false, reason: 'revoked' };
    if (record.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    const role = await this.roles.byArn(iamArn('role', record.roleName));
    if (role === undefined) return { ok: false, reason: 'role-gone' };
    return { ok: true, principal: this.principalOf(role, record), secretAccessKey: '', record };
  }

  revoke(accessKeyId: string): Promise<boolean> {
    this.parsed.delete(accessKeyId);
    return this.store.revoke(accessKeyId, this.now());
  }

  list(options: { readonly limit: number; readonly after?: string }): ReturnType<RoleSessionStore['list']> {
    return this.store.list(this.now(), options);
  }

  private principalOf(role: Principal, record: RoleSessionRecord): Principal {
    let sessionPolicy: Policy | undefined;
    if (record.sessionPolicy !== null) {
      sessionPolicy = this.parsed.get(record.accessKeyId);
      if (sessionPolicy === undefined) {
        const parsed = parsePolicy(JSON.stringify(record.sessionPolicy), 'identity');
        // A stored policy that no longer validates allows nothing rather than being ignored (ignoring would widen).
        sessionPolicy = parsed.ok ? parsed.policy : { version: '2012-10-17', kind: 'identity', statements: [] };
        if (this.parsed.size >= MAX_PARSED) this.parsed.clear();
        this.parsed.set(record.accessKeyId, sessionPolicy);
      }
    }
    return {
      arn: assumedRoleArn(record.roleName, record.sessionName),
      kind: 'role',
      name: role.name,
      // Session tags override the role's tags of the same key, as in AWS.
      tags: { ...role.tags, ...record.tags },
      policies: role.policies,
      ...(sessionPolicy !== undefined && { sessionPolicies: [sessionPolicy] }),
      roleSession: { accessKeyId: record.accessKeyId, sessionName: record.sessionName, source: record.source, expiresAt: record.expiresAt },
      // The audit log names the credentials by their public half.
      keyId: record.accessKeyId,
      sessionContext: record.context,
    };
  }
}

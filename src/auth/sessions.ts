// Dashboard sessions: a random cookie token, stored only as a hash, with an absolute and an idle expiry.
import { randomBytes } from 'node:crypto';
import { hashKey, type Identity } from './api-keys.js';

export interface SessionRecord {
  /** SHA-256 of the token, base64url; the token itself is never stored. */
  readonly hash: string;
  /** The key the session was opened with; empty for a password login. */
  readonly keyId: string;
  readonly name: string;
  /** The user who signed in with a password; re-resolved on every request, so removing the user ends it. */
  readonly userName?: string;
  /** For a federated sign-in: the access key ID (ASIA…) of the temporary credentials the session uses; the session ends when they are revoked or expire. */
  readonly accessKeyId?: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  /** Absolute expiry, epoch ms: the session ends then however active it is. */
  readonly expiresAt: number;
}

/** Where sessions are kept; the embedded store provides one in SQLite. */
export interface SessionRepository {
  insert(record: SessionRecord): Promise<void>;
  findByHash(hash: string): Promise<SessionRecord | undefined>;
  touch(hash: string, at: number): Promise<void>;
  delete(hash: string): Promise<void>;
  /** Removes sessions whose absolute expiry has passed or that were idle since before `idleBefore`. */
  deleteExpired(now: number, idleBefore: number): Promise<number>;
}

export interface SessionPolicy {
  readonly maxAgeSeconds: number;
  readonly idleSeconds: number;
}

export interface OpenedSession {
  readonly token: string;
  readonly record: SessionRecord;
}

/** Last use is written at most this often, so that reading the dashboard does not write on every request. */
const TOUCH_EVERY_MS = 30_000;

export class Sessions {
  constructor(
    private readonly repo: SessionRepository,
    readonly policy: SessionPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Opens a session for an identity already authenticated by its API key or a user's password. */
  async open(identity: Identity & { readonly userName?: string; readonly accessKeyId?: string; readonly endsBy?: number }): Promise<OpenedSession> {
    const token = `ygs_${randomBytes(32).toString('base64url')}`;
    const at = this.now();
    const record: SessionRecord = {
      hash: hashKey(token),
      keyId: identity.keyId,
      name: identity.name,
      ...(identity.userName !== undefined && { userName: identity.userName }),
      ...(identity.accessKeyId !== undefined && { accessKeyId: identity.accessKeyId }),
      createdAt: at,
      lastUsedAt: at,
      // A session opened from temporary credentials ends with them at the latest.
      expiresAt: Math.min(at + this.policy.maxAgeSeconds * 1000, identity.endsBy ?? Infinity),
    };
    await this.repo.insert(record);
    // Opening a session is rare enough to sweep expired ones here instead of on a timer.
    await this.repo.deleteExpired(at, at - this.policy.idleSeconds * 1000);
    return { token, record };
  }

  /** The identity behind a presented token, or undefined when it is unknown, expired or idle too long. */
  async resolve(token: string): Promise<(Identity & { readonly userName?: string; readonly accessKeyId?: string; readonly expiresAt: number }) | undefined> {
    if (token.length < 16 || token.length > 512) return undefined;
    const hash = hashKey(token);
    const record = await this.repo.findByHash(hash);
    if (record === undefined) return undefined;
    const at = this.now();
    if (at >= record.expiresAt || at - record.lastUsedAt >= this.policy.idleSeconds * 1000) {
      await this.repo.delete(hash);
      return undefined;
    }
    if (at - record.lastUsedAt >= TOUCH_EVERY_MS) await this.repo.touch(hash, at);
    return {
      keyId: record.keyId,
      name: record.name,
      ...(record.userName !== undefined && { userName: record.userName }),
      ...(record.accessKeyId !== undefined && { accessKeyId: record.accessKeyId }),
      expiresAt: record.expiresAt,
    };
  }

  async close(token: string): Promise<void> {
    await this.repo.delete(hashKey(token));
  }
}

// Resolves keys and users to principals through a cache that the store's generation counter invalidates, so a
// revocation or a policy change applies at the next request while a steady request stream costs a map lookup.
import { hashKey } from '../api-keys.js';
import type { Policy } from '../policy/document.js';
import { validatePolicy } from '../policy/validate.js';
import { iamArn } from './names.js';
import type { Principal } from './principal.js';
import type { PrincipalStore } from './principal-store.js';
import type { KeyRecord, PrincipalRecord } from './records.js';

export type KeyResolution =
  | { readonly ok: true; readonly principal: Principal; readonly key: KeyRecord }
  /** `revoked` and `expired` are only ever answered for a key whose whole secret matched. */
  | { readonly ok: false; readonly reason: 'unknown' | 'revoked' | 'expired' };

interface Cached<T> {
  readonly generation: number;
  readonly value: T;
}

const MAX_CACHED = 10_000;
/** A key's last use is written at most this often. */
export const TOUCH_EVERY_MS = 60_000;

/** A stored document that no longer validates denies everything rather than being skipped (it may hold a Deny). */
const DENY_ALL: Policy = { version: '2012-10-17', kind: 'identity', statements: [{ index: 0, effect: 'Deny', action: ['*'], resource: ['*'], conditions: [] }] };

function principalOf(record: PrincipalRecord): Principal {
  const policies = record.documents.map((d) => {
    const result = validatePolicy(d.document, 'identity');
    return result.ok ? result.policy : DENY_ALL;
  });
  return {
    arn: iamArn(record.kind, record.name),
    kind: record.kind,
    name: record.name,
    ...(record.kind === 'user' && { username: record.name }),
    tags: record.tags,
    policies,
  };
}

export class PrincipalResolver {
  private readonly keys = new Map<string, Cached<KeyRecord | undefined>>();
  private readonly owners = new Map<string, Cached<Principal | undefined>>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly store: PrincipalStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** A presented bearer key. */
  async byKey(presented: string): Promise<KeyResolution> {
    if (presented.length < 16 || presented.length > 512) return { ok: false, reason: 'unknown' };
    const hash = hashKey(presented);
    const key = await this.cached(this.keys, `h:${hash}`, () => this.store.keyByHash(hash), false);
    return this.withOwner(key);
  }

  /** The key a dashboard session was opened with. */
  async byKeyId(id: string): Promise<KeyResolution> {
    const key = await this.cached(this.keys, `i:${id}`, () => this.store.keyById(id), false);
    return this.withOwner(key);
  }

  /** A user signed in with a password (sessions), or undefined once removed. */
  async byUser(name: string): Promise<Principal | undefined> {
    return this.owner('user', name);
  }

  /** A user or role by its ARN (an alert rule's owner), or undefined when it is not one or no longer exists. */
  async byArn(arn: string): Promise<Principal | undefined> {
    const match = /^arn:yagura:iam:::(user|role)\/([^/]+)$/.exec(arn);
    if (match === null) return undefined;
    return this.owner(match[1] as 'user' | 'role', match[2]!);
  }

  private async withOwner(key: KeyRecord | undefined): Promise<KeyResolution> {
    if (key === undefined) return { ok: false, reason: 'unknown' };
    if (key.revokedAt !== null) return { ok: false, reason: 'revoked' };
    const at = this.now();
    if (key.expiresAt !== null && key.expiresAt <= at) return { ok: false, reason: 'expired' };
    const owner = await this.owner(key.owner.kind, key.owner.name);
    // A key whose owner is gone was revoked with it; one left over from before is refused the same way.
    if (owner === undefined) return { ok: false, reason: 'revoked' };
    this.touch(key, at);
    return { ok: true, key, principal: { ...owner, keyId: key.id, keyPrefix: key.prefix } };
  }

  private owner(kind: 'user' | 'role', name: string): Promise<Principal | undefined> {
    return this.cached(this.owners, `${kind}:${name.toLowerCase()}`, async () => {
      const record = await this.store.principal(kind, name);
      return record && principalOf(record);
    });
  }

  /** Unknown keys are not cached (`keepMisses` false): random keys must not be able to push the real ones out. */
  private async cached<T>(map: Map<string, Cached<T>>, id: string, load: () => Promise<T>, keepMisses = true): Promise<T> {
    const generation = this.store.generation;
    const hit = map.get(id);
    if (hit !== undefined && hit.generation === generation) return hit.value;
    const value = await load();
    if (value === undefined && !keepMisses) return value;
    if (map.size >= MAX_CACHED) map.clear();
    map.set(id, { generation, value });
    return value;
  }

  /** Records last use off the request's path, at most once a minute per key. */
  private touch(key: KeyRecord, at: number): void {
    const last = this.touched.get(key.id) ?? key.lastUsedAt ?? 0;
    if (at - last < TOUCH_EVERY_MS) return;
    if (this.touched.size >= MAX_CACHED) this.touched.clear();
    this.touched.set(key.id, at);
    setImmediate(() => {
      this.store.touchKey(key.id, at).catch(() => undefined);
    });
  }
}

// Where principals, managed policies and keys are kept. Every administrative change bumps `generation`, which
// the principal resolver's cache compares, so a change takes effect at the next request.
import type { ApiKeyRepository } from '../api-keys.js';
import type { GroupInput, GroupRecord, KeyRecord, ListOptions, ManagedPolicy, Page, PrincipalRecord, RoleInput, RoleRecord, UserInput, UserRecord } from './records.js';

/**
 * Errors are PrincipalError values: ALREADY_EXISTS, *_NOT_FOUND, UNKNOWN_POLICY/GROUP/OWNER, POLICY_IN_USE, BUILT_IN,
 * ALREADY_REVOKED. The older ApiKeyRepository methods keep working: a key inserted through them belongs to the
 * Administrator role, and `findByHash` answers only keys that are neither revoked nor expired.
 */
export interface PrincipalStore extends ApiKeyRepository {
  /** Bumped by every administrative change (not by a key's last-use time). */
  readonly generation: number;

  createPolicy(name: string, document: unknown, now: number): Promise<ManagedPolicy>;
  getPolicy(name: string): Promise<ManagedPolicy | undefined>;
  listPolicies(options: ListOptions): Promise<Page<ManagedPolicy>>;
  putPolicy(name: string, document: unknown, now: number): Promise<ManagedPolicy>;
  deletePolicy(name: string): Promise<void>;

  createUser(input: UserInput, now: number): Promise<UserRecord>;
  getUser(name: string): Promise<UserRecord | undefined>;
  listUsers(options: ListOptions): Promise<Page<UserRecord>>;
  updateUser(input: UserInput, now: number): Promise<UserRecord>;
  /** Also revokes the user's keys and drops its group memberships. */
  deleteUser(name: string, now: number): Promise<void>;
  /** The stored password hash, or undefined for an unknown user or one without a password. */
  passwordHash(name: string): Promise<string | undefined>;

  createGroup(input: GroupInput, now: number): Promise<GroupRecord>;
  getGroup(name: string): Promise<GroupRecord | undefined>;
  listGroups(options: ListOptions): Promise<Page<GroupRecord>>;
  updateGroup(input: GroupInput, now: number): Promise<GroupRecord>;
  deleteGroup(name: string): Promise<void>;

  createRole(input: RoleInput, now: number): Promise<RoleRecord>;
  getRole(name: string): Promise<RoleRecord | undefined>;
  listRoles(options: ListOptions): Promise<Page<RoleRecord>>;
  updateRole(input: RoleInput, now: number): Promise<RoleRecord>;
  /** Also revokes the role's keys. */
  deleteRole(name: string, now: number): Promise<void>;

  /** Saves a new key; the owner must exist (UNKNOWN_OWNER). */
  createApiKey(record: Omit<KeyRecord, 'lastUsedAt' | 'revokedAt'>): Promise<void>;
  /** Any key with this hash, revoked and expired ones included. */
  keyByHash(hash: string): Promise<KeyRecord | undefined>;
  keyById(id: string): Promise<KeyRecord | undefined>;
  listKeys(options: ListOptions): Promise<Page<KeyRecord>>;
  revokeKey(id: string, now: number): Promise<KeyRecord>;
  /** Records a key's last use; no generation bump. */
  touchKey(id: string, at: number): Promise<void>;

  /** A user or role with the documents of the policies in effect (a user's own and its groups'). */
  principal(kind: 'user' | 'role', name: string): Promise<PrincipalRecord | undefined>;
}

// What the principal store keeps: users, groups, roles, managed policies and API keys.
import type { PrincipalKind } from './names.js';

export type Tags = Readonly<Record<string, string>>;

export interface ManagedPolicy {
  readonly name: string;
  /** The document as it was validated and saved (JSON). */
  readonly document: unknown;
  readonly builtIn: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface UserRecord {
  readonly name: string;
  readonly hasPassword: boolean;
  readonly tags: Tags;
  readonly groups: readonly string[];
  readonly policies: readonly string[];
  readonly createdAt: number;
}

export interface GroupRecord {
  readonly name: string;
  readonly policies: readonly string[];
  readonly members: readonly string[];
  readonly createdAt: number;
}

export interface RoleRecord {
  readonly name: string;
  readonly description: string;
  readonly tags: Tags;
  readonly policies: readonly string[];
  /** Who may assume the role through federation: an IAM trust policy (JSON), or null for nobody. */
  readonly trustPolicy: unknown;
  readonly builtIn: boolean;
  readonly createdAt: number;
}

export interface KeyOwner {
  readonly kind: 'user' | 'role';
  readonly name: string;
}

export interface KeyRecord {
  readonly id: string;
  /** `yk_xxxxxxxx`; `ygr_` for keys of the older form, whose visible part was never recorded; '' for a bootstrap key the operator chose in another form. */
  readonly prefix: string;
  readonly name: string;
  readonly hash: string;
  readonly owner: KeyOwner;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
}

/** A principal's own attributes and the documents of every identity policy in effect for it. */
export interface PrincipalRecord {
  readonly kind: 'user' | 'role';
  readonly name: string;
  readonly tags: Tags;
  readonly documents: ReadonlyArray<{ readonly policy: string; readonly document: unknown }>;
}

export interface ListOptions {
  readonly limit: number;
  /** Position after which to continue, from the previous page. */
  readonly after?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `after` for the next page; absent on the last. */
  readonly next?: string;
}

export interface UserInput {
  readonly name: string;
  /** A hash from passwords.ts; null removes the password; undefined leaves it as is on update. */
  readonly passwordHash?: string | null;
  readonly tags: Tags;
  readonly groups: readonly string[];
  readonly policies: readonly string[];
}

export interface GroupInput {
  readonly name: string;
  readonly policies: readonly string[];
}

export interface RoleInput {
  readonly name: string;
  readonly description: string;
  readonly tags: Tags;
  readonly policies: readonly string[];
  /** Who may assume the role through federation (an IAM trust policy), or null for nobody. */
  readonly trustPolicy?: unknown;
}

export type AttachableKind = PrincipalKind;

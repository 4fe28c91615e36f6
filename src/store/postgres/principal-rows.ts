// Rows of the PostgreSQL principal tables and the records they become.
import type { KeyRecord, ManagedPolicy, Page, RoleInput } from '../../auth/principals/records.js';

export interface KeyRow {
  seq: number;
  id: string;
  prefix: string;
  name: string;
  hash: string;
  owner_kind: 'user' | 'role';
  owner_name: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface PolicyRow {
  name: string;
  document: string;
  built_in: boolean;
  created_at: number;
  updated_at: number;
}

export interface UserRow {
  name: string;
  key: string;
  password_hash: string | null;
  tags: string;
  created_at: number;
}

export interface GroupRow {
  name: string;
  key: string;
  created_at: number;
}

export interface RoleRow {
  name: string;
  key: string;
  description: string;
  tags: string;
  trust_policy: string | null;
  built_in: boolean;
  created_at: number;
}

export const KEY_COLUMNS = 'seq, id, prefix, name, hash, owner_kind, owner_name, created_at, last_used_at, expires_at, revoked_at';
/** The key of a name given as a parameter, folded as the tables' generated keys are (ASCII only). */
export const KEY_OF = (placeholder: string): string => `lower(${placeholder}::text COLLATE "C")`;

export function keyOf(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    prefix: row.prefix,
    name: row.name,
    hash: row.hash,
    owner: { kind: row.owner_kind, name: row.owner_name },
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export function policyOf(row: PolicyRow): ManagedPolicy {
  return { name: row.name, document: JSON.parse(row.document) as unknown, builtIn: row.built_in, createdAt: row.created_at, updatedAt: row.updated_at };
}

export function page<T>(rows: T[], limit: number, position: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, next: position(items[items.length - 1]!) };
}

/** Lower-cases A-Z only, as the "C" collation's lower() does for the tables' keys. */
export function asciiLower(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

export function quoted(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

export function trustPolicyText(input: RoleInput): string | null {
  return input.trustPolicy === undefined || input.trustPolicy === null ? null : JSON.stringify(input.trustPolicy);
}

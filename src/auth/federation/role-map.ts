// Which directory users and groups may assume which roles: the configuration's entries (YAGURA_LDAP_ROLE_MAP or the
// file) and those kept in the store and edited through the API. DNs compare in their normalised form.
import { normalizeDn } from './ldap/dn.js';

export interface RoleMapEntry {
  readonly dn: string;
  readonly role: string;
}

export interface RoleMapStore {
  list(): Promise<readonly RoleMapEntry[]>;
  /** Replaces every stored entry at once. */
  replace(entries: readonly RoleMapEntry[], now: number): Promise<void>;
}

export class RoleMapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoleMapError';
  }
}

const ROLE_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
/** Entries an administrator can keep through the API. */
export const MAX_ROLE_MAP_ENTRIES = 1000;

export class DirectoryRoleMap {
  private readonly configured: readonly RoleMapEntry[];

  constructor(
    configured: Readonly<Record<string, string>>,
    private readonly store: RoleMapStore,
  ) {
    this.configured = Object.entries(configured).map(([dn, role]) => ({ dn: normalizeDn(dn) ?? dn.toLowerCase(), role }));
  }

  /** Every entry, each saying where it comes from. */
  async entries(): Promise<readonly (RoleMapEntry & { readonly source: 'config' | 'api' })[]> {
    const stored = await this.store.list();
    return [...this.configured.map((e) => ({ ...e, source: 'config' as const })), ...stored.map((e) => ({ ...e, source: 'api' as const }))];
  }

  /** The roles the user's DN and its groups map to, each once, in map order. */
  async rolesFor(dns: readonly string[]): Promise<string[]> {
    const wanted = new Set(dns.map((dn) => normalizeDn(dn)).filter((dn): dn is string => dn !== undefined));
    const roles: string[] = [];
    for (const e of [...this.configured, ...(await this.store.list())]) {
      if (wanted.has(e.dn) && !roles.some((r) => r.toLowerCase() === e.role.toLowerCase())) roles.push(e.role);
    }
    return roles;
  }

  /** Replaces the API-kept entries; a DN that does not parse or a bad role name is a RoleMapError naming it. */
  async replace(map: Readonly<Record<string, string>>, now: number): Promise<void> {
    const entries = Object.entries(map);
    if (entries.length > MAX_ROLE_MAP_ENTRIES) throw new RoleMapError(`the role map holds at most ${MAX_ROLE_MAP_ENTRIES} entries`);
    const normalised = new Map<string, string>();
    for (const [dn, role] of entries) {
      const n = normalizeDn(dn);
      if (n === undefined) throw new RoleMapError(`"${dn.slice(0, 200)}" is not a distinguished name (RFC 4514)`);
      if (!ROLE_NAME.test(role)) throw new RoleMapError(`the role of "${dn.slice(0, 200)}" must be a role name`);
      normalised.set(n, role);
    }
    await this.store.replace([...normalised].map(([dn, role]) => ({ dn, role })), now);
  }
}

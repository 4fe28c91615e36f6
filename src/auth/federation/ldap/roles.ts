// LDAP user and group DNs → Yagura roles, through the configured role map.
import { normalizeDn } from './dn.js';
import type { LdapRoleMap } from './ldap-config.js';

/**
 * The roles the user's own DN and group DNs map to, each once, sorted. DNs are compared by normal form
 * (normalizeDn), so `CN=Admins, OU=Groups,DC=example,DC=org` in the map matches `cn=admins,ou=groups,dc=example,dc=org`
 * from the directory. An empty list means no role: the caller refuses the sign-in (AccessDenied).
 */
export function rolesFor(identity: { readonly userDn: string; readonly groups: readonly string[] }, roleMap: LdapRoleMap): string[] {
  const byDn = new Map<string, string[]>();
  for (const [dn, role] of Object.entries(roleMap)) {
    const normal = normalizeDn(dn);
    // An unparsable key matches nothing; the configuration schema refuses such keys anyway.
    if (normal === undefined || normal === '') continue;
    byDn.set(normal, [...(byDn.get(normal) ?? []), role]);
  }
  const roles = new Set<string>();
  for (const dn of [identity.userDn, ...identity.groups]) {
    const normal = normalizeDn(dn);
    if (normal === undefined) continue;
    for (const role of byDn.get(normal) ?? []) roles.add(role);
  }
  return [...roles].sort();
}

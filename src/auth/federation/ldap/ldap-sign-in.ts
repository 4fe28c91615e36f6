// The directory as federation uses it: the LDAP bind checks who the person is, the role map says which roles
// their DN and groups may assume.
import type { Directory, DirectoryIdentity } from '../../sts/federated-sign-in.js';
import type { DirectoryRoleMap } from '../role-map.js';
import type { LdapDirectory } from './ldap-directory.js';

export class LdapSignIn implements Directory {
  constructor(
    private readonly directory: LdapDirectory,
    private readonly roleMap: DirectoryRoleMap,
  ) {}

  async authenticate(username: string, password: string): Promise<DirectoryIdentity> {
    const identity = await this.directory.authenticate(username, password);
    return { userDn: identity.userDn, username: identity.username, groups: identity.groups, attributes: identity.attributes };
  }

  rolesFor(identity: DirectoryIdentity): Promise<readonly string[]> {
    return this.roleMap.rolesFor([identity.userDn, ...identity.groups]);
  }
}

// Sign-in against LDAP/Active Directory: lookup bind, find the user's DN, bind as the user, find the groups.
import { readFileSync } from 'node:fs';
import { InvalidCredentialsError, type Entry } from 'ldapts';
import { connectionSettings, LdapConnection, toLdapAuthError, type ConnectionSettings } from './connection.js';
import { fillFilter } from './filter-template.js';
import { LdapAuthError, type LdapAuthReason } from './ldap-auth-error.js';
import { LdapConfigError, type LdapConfig } from './ldap-config.js';

/** Directory attributes carried into the identity (and from there into session tags); absent ones are left out. */
export const IDENTITY_ATTRIBUTES = ['uid', 'cn', 'mail', 'displayName', 'sAMAccountName', 'userPrincipalName'] as const;

export type LdapAttributes = Readonly<Partial<Record<(typeof IDENTITY_ATTRIBUTES)[number], string>>>;

export interface LdapIdentity {
  /** The user's entry, as the directory spells it. */
  readonly userDn: string;
  /** The username as typed at sign-in (the directory matched it, possibly ignoring case). */
  readonly username: string;
  /** DNs of the groups the group search found; empty when no group search is configured. */
  readonly groups: readonly string[];
  readonly attributes: LdapAttributes;
}

/**
 * Attributes that explain a refused bind: OpenLDAP's ppolicy lock, Active Directory's account flags and
 * 389 Directory Server's lock. Read with the lookup account; the directory alone decides whether a bind succeeds.
 */
const STATUS_ATTRIBUTES = ['pwdAccountLockedTime', 'userAccountControl', 'nsAccountLock'] as const;

const MAX_USERNAME = 256;
const MAX_PASSWORD = 1024;
/** C0 and C1 controls (NUL among them) and unpaired surrogates: no directory name needs them. */
const NOT_TEXT = /[\p{Cc}\p{Cs}]/u;

export class LdapDirectory {
  private readonly connection: ConnectionSettings;

  /** @param ca PEM of the CA(s) to trust instead of Node's bundled ones; see buildLdapDirectory to read tlsCaFile. */
  constructor(
    private readonly config: LdapConfig,
    ca?: string,
  ) {
    this.connection = connectionSettings(config, ca);
  }

  /**
   * Checks the username and password with the directory and returns who the person is. Throws LdapAuthError:
   * ValidationError before any connection (an empty password above all, which a directory may accept as an
   * anonymous bind), InvalidCredentials for a wrong password, unknown user or disabled account alike (the
   * reason tells them apart for the audit log), DirectoryUnavailable when the directory cannot answer.
   */
  async authenticate(username: string, password: string): Promise<LdapIdentity> {
    checkInput(username, password);
    const connection = await LdapConnection.open(this.connection);
    try {
      await this.lookupBind(connection);
      const user = await this.findUser(connection, username);
      await bindAsUser(connection, user, password);
      // The user may not be allowed to read groups: search them as the lookup account, as MinIO does.
      await this.lookupBind(connection);
      const groups = await this.findGroups(connection, username, user.dn);
      return { userDn: user.dn, username, groups, attributes: identityAttributes(user) };
    } catch (error) {
      throw toLdapAuthError(error);
    } finally {
      await connection.close();
    }
  }

  private async lookupBind(connection: LdapConnection): Promise<void> {
    connection.ensureOpen();
    try {
      await connection.client.bind(this.config.lookupBindDn, this.config.lookupBindPassword);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) throw new LdapAuthError('DirectoryUnavailable', 'lookup-bind-failed', 'the directory refused the lookup bind DN and password');
      throw error;
    }
  }

  /** Exactly one entry must match: none is an unknown user, two or more a filter that does not identify people. */
  private async findUser(connection: LdapConnection, username: string): Promise<Entry> {
    connection.ensureOpen();
    const { searchEntries } = await connection.client.search(this.config.userDnSearchBaseDn, {
      scope: 'sub',
      filter: fillFilter(this.config.userDnSearchFilter, { username }),
      attributes: [...IDENTITY_ATTRIBUTES, ...STATUS_ATTRIBUTES],
      // Two are enough to know the match is ambiguous.
      sizeLimit: 2,
    });
    if (searchEntries.length === 0) throw new LdapAuthError('InvalidCredentials', 'unknown-user');
    if (searchEntries.length > 1) throw new LdapAuthError('InvalidCredentials', 'ambiguous-user', 'the user search filter matched more than one entry');
    const user = searchEntries[0]!;
    if (user.dn.trim() === '') throw new LdapAuthError('InvalidCredentials', 'unknown-user', 'the user search returned an entry without a DN');
    return user;
  }

  private async findGroups(connection: LdapConnection, username: string, userDn: string): Promise<string[]> {
    const { groupSearchBaseDn, groupSearchFilter } = this.config;
    if (groupSearchBaseDn === undefined || groupSearchFilter === undefined) return [];
    connection.ensureOpen();
    const { searchEntries } = await connection.client.search(groupSearchBaseDn, {
      scope: 'sub',
      filter: fillFilter(groupSearchFilter, { username, userDn }),
      // "1.1" asks for no attributes: only the DNs matter. Paging so no size limit truncates the list.
      attributes: ['1.1'],
      paged: { pageSize: 500 },
    });
    return [...new Set(searchEntries.map((entry) => entry.dn))];
  }
}

/** Reads tlsCaFile, if set, and builds the directory; throws LdapConfigError when the file cannot be read. */
export function buildLdapDirectory(config: LdapConfig): LdapDirectory {
  if (config.tlsCaFile === undefined) return new LdapDirectory(config);
  let ca: string;
  try {
    ca = readFileSync(config.tlsCaFile, 'utf8');
  } catch (error) {
    throw new LdapConfigError(`invalid configuration: ldap.tlsCaFile (YAGURA_LDAP_TLS_CA_FILE): cannot read ${config.tlsCaFile}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw new LdapConfigError(`invalid configuration: ldap.tlsCaFile (YAGURA_LDAP_TLS_CA_FILE): ${config.tlsCaFile} holds no PEM certificate`);
  }
  return new LdapDirectory(config, ca);
}

function checkInput(username: string, password: string): void {
  const refuse = (reason: LdapAuthReason): never => {
    throw new LdapAuthError('ValidationError', reason);
  };
  if (typeof username !== 'string' || username.length === 0) refuse('empty-username');
  if (username.length > MAX_USERNAME) refuse('username-too-long');
  if (NOT_TEXT.test(username)) refuse('username-not-text');
  if (typeof password !== 'string' || password.length === 0) refuse('empty-password');
  if (password.length > MAX_PASSWORD) refuse('password-too-long');
}

/** The password check. A refusal is InvalidCredentials whatever the cause; the reason says which it was. */
async function bindAsUser(connection: LdapConnection, user: Entry, password: string): Promise<void> {
  // Checked again right at the bind: a simple bind with a DN and no password is an anonymous bind that succeeds.
  if (password.length === 0) throw new LdapAuthError('ValidationError', 'empty-password');
  connection.ensureOpen();
  try {
    await connection.client.bind(user.dn, password);
  } catch (error) {
    if (error instanceof InvalidCredentialsError) throw new LdapAuthError('InvalidCredentials', refusalReason(user, error.message));
    throw error;
  }
}

/** Active Directory's "data 533" in the bind diagnostic, else the account flags read during the search. */
function refusalReason(user: Entry, diagnostic: string): LdapAuthReason {
  const adCode = /\bdata ([0-9a-f]{3,4})\b/i.exec(diagnostic)?.[1]?.toLowerCase();
  if (adCode === '533' || adCode === '701') return 'account-disabled';
  if (adCode === '775') return 'account-locked';
  if (adCode === '532' || adCode === '773') return 'password-expired';
  const locked = first(user, 'pwdAccountLockedTime');
  // ppolicy's "000001010000Z" is an administrator's permanent lock; any other time is a lockout after failures.
  if (locked !== undefined) return locked === '000001010000Z' ? 'account-disabled' : 'account-locked';
  const flags = Number(first(user, 'userAccountControl'));
  if (Number.isInteger(flags) && (flags & 0x2) !== 0) return 'account-disabled';
  if (first(user, 'nsAccountLock')?.toLowerCase() === 'true') return 'account-disabled';
  return 'wrong-password';
}

function identityAttributes(user: Entry): LdapAttributes {
  const attributes: Partial<Record<(typeof IDENTITY_ATTRIBUTES)[number], string>> = {};
  for (const name of IDENTITY_ATTRIBUTES) {
    const value = first(user, name);
    if (value !== undefined && value !== '') attributes[name] = value;
  }
  return attributes;
}

/** The first string value of an attribute, whatever case the directory spelled its name in. */
function first(entry: Entry, name: string): string | undefined {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  const one = Array.isArray(value) ? value[0] : value;
  return typeof one === 'string' ? one : undefined;
}

// The coded errors of LDAP sign-in: a code and sentence the caller may show, and a reason only the audit log sees.

/**
 * What the caller may act on. `InvalidCredentials` covers a wrong password, an unknown user and a disabled
 * account alike, so that a sign-in form cannot be used to learn which accounts exist.
 */
export type LdapAuthErrorCode = 'InvalidCredentials' | 'DirectoryUnavailable' | 'ValidationError';

/** Why, for the audit log and operators; never shown to the person signing in. */
export type LdapAuthReason =
  // ValidationError: refused before any connection to the directory.
  | 'empty-username'
  | 'username-too-long'
  | 'username-not-text'
  | 'empty-password'
  | 'password-too-long'
  // InvalidCredentials
  | 'unknown-user'
  | 'ambiguous-user'
  | 'wrong-password'
  | 'account-disabled'
  | 'account-locked'
  | 'password-expired'
  // DirectoryUnavailable
  | 'unreachable'
  | 'timeout'
  | 'tls-failed'
  | 'lookup-bind-failed'
  | 'directory-error';

const MESSAGES: Readonly<Record<LdapAuthErrorCode, string>> = {
  InvalidCredentials: 'the LDAP username or password is not correct',
  DirectoryUnavailable: 'the LDAP directory is not available; try again later',
  ValidationError: 'the LDAP username or password is not acceptable',
};

/** Validation failures say what is wrong with the input: that reveals nothing about the directory. */
const VALIDATION_MESSAGES: Partial<Readonly<Record<LdapAuthReason, string>>> = {
  'empty-username': 'the LDAP username must not be empty',
  'username-too-long': 'the LDAP username must be at most 256 characters',
  'username-not-text': 'the LDAP username must not contain control characters',
  'empty-password': 'the LDAP password must not be empty',
  'password-too-long': 'the LDAP password must be at most 1024 characters',
};

export class LdapAuthError extends Error {
  override readonly name = 'LdapAuthError';

  /**
   * @param detail a short technical note for the operator's log (a Node error code, an LDAP result name);
   *   never a password, and never shown to the person signing in.
   */
  constructor(
    readonly code: LdapAuthErrorCode,
    readonly reason: LdapAuthReason,
    readonly detail?: string,
  ) {
    super((code === 'ValidationError' && VALIDATION_MESSAGES[reason]) || MESSAGES[code]);
  }
}

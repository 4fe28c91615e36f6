// The coded errors of secrets at rest: master keys, the key file and sealed values. Messages never hold a secret.

export type SecretErrorCode =
  /** YAGURA_MASTER_KEY (or YAGURA_NEW_MASTER_KEY) is not the base64 of 32 bytes. */
  | 'INVALID_MASTER_KEY'
  /** The key file cannot be read or does not hold master keys. */
  | 'INVALID_KEY_FILE'
  /** The key file may be read or written by group or others. */
  | 'KEY_FILE_EXPOSED'
  /** A value is not in the sealed format. */
  | 'NOT_SEALED'
  /** Something must be sealed, and no master key was given. */
  | 'MASTER_KEY_REQUIRED'
  /** A value was sealed with a master key the keyring does not hold. */
  | 'UNKNOWN_MASTER_KEY'
  /** A sealed value failed authentication: altered, or copied from another record (context). */
  | 'SEALED_VALUE_REJECTED'
  /** A master key rotation cannot run as asked. */
  | 'ROTATION_REFUSED';

export class SecretError extends Error {
  constructor(
    readonly code: SecretErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// The coded errors of principals, keys and managed policies; src/api/api-error.ts maps each code to a status.

export type PrincipalErrorCode =
  | 'INVALID_NAME'
  | 'ALREADY_EXISTS'
  | 'USER_NOT_FOUND'
  | 'GROUP_NOT_FOUND'
  | 'ROLE_NOT_FOUND'
  | 'POLICY_NOT_FOUND'
  | 'KEY_NOT_FOUND'
  | 'UNKNOWN_POLICY'
  | 'UNKNOWN_GROUP'
  | 'UNKNOWN_OWNER'
  | 'POLICY_IN_USE'
  | 'BUILT_IN'
  | 'ALREADY_REVOKED'
  | 'INVALID_PASSWORD'
  | 'INVALID_EXPIRY';

export class PrincipalError extends Error {
  constructor(
    readonly code: PrincipalErrorCode,
    message: string,
  ) {
    super(message);
  }
}

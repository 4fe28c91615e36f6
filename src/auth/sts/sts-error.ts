// STS's coded errors: the `<Error><Code>` AWS's STS answers, so an SDK maps them to its own exceptions.

export type StsErrorCode =
  | 'AccessDenied'
  | 'ExpiredTokenException'
  | 'IDPCommunicationError'
  | 'IDPRejectedClaim'
  | 'IncompleteSignature'
  | 'InvalidAction'
  | 'InvalidClientTokenId'
  | 'InvalidIdentityToken'
  | 'InvalidParameterValue'
  | 'MalformedPolicyDocument'
  | 'MissingAuthenticationToken'
  | 'PackedPolicyTooLarge'
  | 'RequestExpired'
  | 'ServiceUnavailable'
  | 'SignatureDoesNotMatch'
  | 'Throttling'
  | 'ValidationError';

/** The HTTP status STS answers each error with. */
const STATUS: Readonly<Record<StsErrorCode, number>> = {
  AccessDenied: 403,
  ExpiredTokenException: 400,
  IDPCommunicationError: 400,
  IDPRejectedClaim: 403,
  IncompleteSignature: 400,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  InvalidIdentityToken: 400,
  InvalidParameterValue: 400,
  MalformedPolicyDocument: 400,
  MissingAuthenticationToken: 403,
  PackedPolicyTooLarge: 400,
  RequestExpired: 400,
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  Throttling: 429,
  ValidationError: 400,
};

export class StsError extends Error {
  readonly status: number;
  /** Why, for the audit log only (the caller sees `message`): e.g. which of unknown user and wrong password. */
  readonly reason: string;

  constructor(
    readonly code: StsErrorCode,
    message: string,
    reason?: string,
  ) {
    super(message);
    this.name = 'StsError';
    this.status = STATUS[code];
    this.reason = reason ?? message;
  }
}

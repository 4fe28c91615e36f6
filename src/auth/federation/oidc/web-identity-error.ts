// The coded errors of OpenID Connect federation, named as AWS STS names them so /sts can answer with them unchanged.

/**
 * - `InvalidIdentityToken`: the token is malformed, badly signed, from an unknown issuer, for another audience, or
 *   otherwise not acceptable (AWS STS's code for all of these).
 * - `ExpiredTokenException`: the token's `exp` has passed.
 * - `IDPCommunicationError`: the provider's discovery document or key set could not be read, or its token endpoint
 *   could not be reached.
 * - `IDPRejectedClaim`: the provider refused the sign-in (an error in the callback, or the code exchange refused).
 * - `InvalidAuthorizationResponse`: the sign-in callback does not belong to the sign-in that was begun (its `state`
 *   differs, or it carries no code).
 * - `ValidationError`: the request names no configured provider.
 */
export type WebIdentityErrorCode =
  | 'InvalidIdentityToken'
  | 'ExpiredTokenException'
  | 'IDPCommunicationError'
  | 'IDPRejectedClaim'
  | 'InvalidAuthorizationResponse'
  | 'ValidationError';

/** The message is a sentence for people; it never holds the token, a code, a secret or any claim of the token. */
export class WebIdentityError extends Error {
  constructor(
    readonly code: WebIdentityErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WebIdentityError';
  }
}

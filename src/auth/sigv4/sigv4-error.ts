// The coded refusals of AWS Signature Version 4 verification, with AWS's own error codes so that SDKs recognise them.

/**
 * - `IncompleteSignature`: the Authorization header or presigned query is malformed, or leaves out what must be signed.
 * - `SignatureDoesNotMatch`: the signature, its scope (date, region, service) or the body hash does not match the request.
 * - `RequestExpired`: the request's time is outside the allowed skew, or the presigned URL has expired.
 * - `InvalidClientTokenId`: the access key id is unknown; raised by the caller, which looks the key up.
 * - `AccessDenied`: the request carries a session token it did not sign.
 */
export type SigV4ErrorCode = 'IncompleteSignature' | 'SignatureDoesNotMatch' | 'RequestExpired' | 'InvalidClientTokenId' | 'AccessDenied';

/** A refused SigV4 request. The message names what is wrong, never a secret, a token or the expected signature. */
export class SigV4Error extends Error {
  constructor(
    readonly code: SigV4ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SigV4Error';
  }
}

// Who signed an STS request (GetCallerIdentity): SigV4 with service `sts`, as the AWS SDKs sign, or an API key.
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../../auth/principals/principal.js';
import type { PrincipalResolver } from '../../../auth/principals/resolver.js';
import { StsError } from '../../../auth/sts/sts-error.js';
import { presentedKey } from '../../authenticate.js';
import { isRefusal, signatureOf, verifySigned, type SignatureRefusal, type SignedRequestOptions } from '../../signed-requests.js';

function stsRefusal(refusal: SignatureRefusal): StsError {
  const code = refusal.code === 'ExpiredToken' ? 'ExpiredTokenException' : refusal.code;
  return new StsError(code, refusal.message, refusal.reason);
}

/** The signed caller of an STS request, or an StsError saying why there is none. */
export function stsCaller(resolver: PrincipalResolver, signed: SignedRequestOptions): (request: FastifyRequest) => Promise<Principal> {
  return async (request) => {
    const signature = signatureOf(request);
    if (isRefusal(signature)) throw stsRefusal(signature);
    if (signature !== undefined) {
      const result = await verifySigned(request, signature, 'sts', signed);
      if (!result.ok) throw stsRefusal(result.refusal);
      return result.principal;
    }
    const key = presentedKey(request);
    if (key === undefined) throw new StsError('MissingAuthenticationToken', 'the request must be signed with AWS Signature Version 4 or carry an API key');
    const resolved = await resolver.byKey(key);
    if (!resolved.ok) throw new StsError('InvalidClientTokenId', 'the security token included in the request is invalid', `API key ${resolved.reason}`);
    return resolved.principal;
  };
}

// The global condition keys of a request (aws:SourceIp, aws:CurrentTime, aws:username, aws:PrincipalTag/…), as AWS
// sets them, for every policy decision about the request.
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../auth/policy/document.js';
import type { Principal } from '../auth/principals/principal.js';

/** The global condition keys of a request, as AWS sets them. */
export function requestContext(request: FastifyRequest, principal: Principal, now: number): RequestContext {
  const context: Record<string, string | boolean> = {
    'aws:SourceIp': request.ip,
    'aws:CurrentTime': new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now / 1000)),
    'aws:SecureTransport': request.protocol === 'https',
    'aws:PrincipalArn': principal.arn,
    'aws:userid': principal.kind === 'user' ? principal.name : `${principal.name}:${principal.keyPrefix ?? principal.sessionId ?? ''}`,
  };
  if (principal.username !== undefined) context['aws:username'] = principal.username;
  for (const [key, value] of Object.entries(principal.tags)) context[`aws:PrincipalTag/${key}`] = value;
  return context;
}


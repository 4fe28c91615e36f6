// The global condition keys of a request (aws:SourceIp, aws:CurrentTime, aws:username, aws:PrincipalTag/…), as AWS
// sets them, for every policy decision about the request.
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../auth/policy/document.js';
import { iamArn } from '../auth/principals/names.js';
import type { Principal } from '../auth/principals/principal.js';

/** The global condition keys of a request, as AWS sets them. */
export function requestContext(request: FastifyRequest, principal: Principal, now: number): RequestContext {
  const context: Record<string, string | boolean> = {
    'aws:SourceIp': request.ip,
    'aws:CurrentTime': new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now / 1000)),
    'aws:SecureTransport': request.protocol === 'https',
    // For a role session AWS names the role here, not the session (`aws:PrincipalArn` is what trust and resource
    // policies match on); the session's own ARN is the principal of the request.
    'aws:PrincipalArn': principalArn(principal),
    'aws:userid': userId(principal),
  };
  if (principal.username !== undefined) context['aws:username'] = principal.username;
  for (const [key, value] of Object.entries(principal.tags)) context[`aws:PrincipalTag/${key}`] = value;
  return principal.sessionContext === undefined ? context : { ...context, ...principal.sessionContext };
}


/**
 * `aws:PrincipalArn`: the principal's ARN, or for a role session its role's. It is also the owner recorded on what
 * the principal creates (alert rules): a session ends, its role stays.
 */
export function principalArn(principal: Principal): string {
  return principal.roleSession === undefined ? principal.arn : iamArn('role', principal.name);
}

/** `aws:userid` as AWS sets it: a user's own id; `role:session` for a role session; `role:key` for a role's key. */
function userId(principal: Principal): string {
  if (principal.kind === 'user') return principal.name;
  const session = principal.roleSession?.sessionName ?? principal.keyPrefix ?? principal.sessionId ?? '';
  return `${principal.name}:${session}`;
}

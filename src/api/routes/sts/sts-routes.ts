// The STS endpoint: `POST /sts`, and `POST /` as AWS STS and MinIO serve it, so an SDK pointed at Yagura's base URL
// works. Form-encoded requests, AWS STS's XML answers and error codes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../../auth/principals/principal.js';
import type { FederatedSignIn } from '../../../auth/sts/federated-sign-in.js';
import type { IssuedCredentials } from '../../../auth/sts/role-sessions.js';
import { StsError } from '../../../auth/sts/sts-error.js';
import { FormBody } from '../../body-parsers.js';
import { stsErrorResponse, stsResponse } from './sts-xml.js';

export interface StsRouteOptions {
  readonly federation: FederatedSignIn;
  /** The signed caller of a request (SigV4 with service `sts`, or an API key); throws StsError when there is none. */
  readonly callerOf: (request: FastifyRequest) => Promise<Principal>;
}

const VERSION = '2011-06-15';
/** Longest value of any parameter (a web identity token is the longest legitimate one). */
const MAX_PARAMETER_CHARS = 20_000;

function parameters(request: FastifyRequest): URLSearchParams {
  const body = request.body;
  if (!(body instanceof FormBody)) throw new StsError('InvalidParameterValue', 'STS requests are form-encoded: Content-Type: application/x-www-form-urlencoded');
  for (const [name, value] of body.fields) {
    if (value.length > MAX_PARAMETER_CHARS) throw new StsError('ValidationError', `${name.slice(0, 64)} is longer than ${MAX_PARAMETER_CHARS} characters`);
  }
  if (body.fields.get('Version') !== VERSION) throw new StsError('InvalidParameterValue', `Version must be ${VERSION}`);
  return body.fields;
}

function required(fields: URLSearchParams, name: string): string {
  const value = fields.get(name);
  if (value === null || value === '') throw new StsError('ValidationError', `${name} is required`);
  return value;
}

function optional(fields: URLSearchParams, name: string): string | undefined {
  const value = fields.get(name);
  return value === null || value === '' ? undefined : value;
}

function duration(fields: URLSearchParams): number | undefined {
  const text = optional(fields, 'DurationSeconds');
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new StsError('ValidationError', 'DurationSeconds must be a whole number of seconds');
  return Number(text);
}

function credentialsXml(issued: IssuedCredentials): Record<string, string> {
  return {
    AccessKeyId: issued.accessKeyId,
    SecretAccessKey: issued.secretAccessKey,
    SessionToken: issued.sessionToken,
    Expiration: new Date(issued.expiresAt).toISOString(),
  };
}

function assumedRoleUser(issued: IssuedCredentials): Record<string, string> {
  return { Arn: issued.arn, AssumedRoleId: `${issued.record.roleName}:${issued.record.sessionName}` };
}

export async function stsRoutes(app: FastifyInstance, options: StsRouteOptions): Promise<void> {
  const { federation } = options;

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<string> => {
    reply.type('text/xml');
    const action = request.body instanceof FormBody ? (request.body.fields.get('Action') ?? '') : '';
    try {
      const fields = parameters(request);
      switch (action) {
        case 'AssumeRoleWithLDAPIdentity': {
          const username = required(fields, 'LDAPUsername');
          request.auditDetail = { action: 'sts:AssumeRoleWithLDAPIdentity', resource: `ldap:${username.slice(0, 256)}` };
          const issued = await federation.withLdap({
            username,
            password: fields.get('LDAPPassword') ?? '',
            roleArn: optional(fields, 'RoleArn'),
            durationSeconds: duration(fields),
            policy: optional(fields, 'Policy'),
            sourceIp: request.ip,
          });
          request.auditDetail = { action: 'sts:AssumeRoleWithLDAPIdentity', resource: issued.identity.userDn, principal: issued.arn, reason: `issued ${issued.accessKeyId} until ${new Date(issued.expiresAt).toISOString()}` };
          return stsResponse(action, { Credentials: credentialsXml(issued), AssumedRoleUser: assumedRoleUser(issued) }, request.id);
        }
        case 'AssumeRoleWithWebIdentity': {
          const roleArn = required(fields, 'RoleArn');
          request.auditDetail = { action: 'sts:AssumeRoleWithWebIdentity', resource: roleArn.slice(0, 256) };
          const issued = await federation.withWebIdentity({
            token: required(fields, 'WebIdentityToken'),
            roleArn,
            sessionName: required(fields, 'RoleSessionName'),
            durationSeconds: duration(fields),
            policy: optional(fields, 'Policy'),
            providerId: optional(fields, 'ProviderId'),
            sourceIp: request.ip,
          });
          request.auditDetail = { action: 'sts:AssumeRoleWithWebIdentity', resource: roleArn, principal: issued.arn, reason: `issued ${issued.accessKeyId} to ${issued.record.subject} until ${new Date(issued.expiresAt).toISOString()}` };
          return stsResponse(
            action,
            {
              Credentials: credentialsXml(issued),
              SubjectFromWebIdentityToken: issued.identity.subject,
              AssumedRoleUser: assumedRoleUser(issued),
              Provider: issued.identity.issuer,
              Audience: fields.get('ProviderId') ?? issued.identity.providerId,
            },
            request.id,
          );
        }
        case 'GetCallerIdentity': {
          request.auditDetail = { action: 'sts:GetCallerIdentity' };
          const caller = await options.callerOf(request);
          request.auditDetail = { action: 'sts:GetCallerIdentity', principal: caller.arn };
          const userId = caller.roleSession ? `${caller.name}:${caller.roleSession.sessionName}` : caller.name;
          return stsResponse(action, { Arn: caller.arn, UserId: userId, Account: '' }, request.id);
        }
        default:
          throw new StsError('InvalidAction', `Action must be AssumeRoleWithLDAPIdentity, AssumeRoleWithWebIdentity or GetCallerIdentity`);
      }
    } catch (error) {
      if (!(error instanceof StsError)) throw error;
      request.auditDetail = { ...request.auditDetail, reason: error.reason };
      reply.code(error.status);
      if (error.code === 'Throttling') reply.header('retry-after', /(\d+) s/.exec(error.message)?.[1] ?? '1');
      return stsErrorResponse(error, request.id);
    }
  };
  app.post('/sts', handle);
  // An SDK whose endpoint is `…/sts` posts to `/sts/`.
  app.post('/sts/', handle);
  app.post('/', handle);
}

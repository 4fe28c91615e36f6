// Dashboard login: POST /api/v1/sessions trades an API key for a session cookie; GET/DELETE .../current.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { PrincipalStore } from '../../auth/principals/principal-store.js';
import type { PrincipalResolver } from '../../auth/principals/resolver.js';
import { verifyPassword } from '../../auth/principals/passwords.js';
import type { Sessions } from '../../auth/sessions.js';
import type { FederatedSignIn } from '../../auth/sts/federated-sign-in.js';
import type { RoleSessions } from '../../auth/sts/role-sessions.js';
import { StsError } from '../../auth/sts/sts-error.js';
import type { SignInThrottle } from '../../protection/sign-in-throttle.js';
import type { Catalog } from '../../catalog/catalog.js';
import { ApiError } from '../api-error.js';
import { checkCsrf, keyRefusal, SESSION_COOKIE } from '../authenticate.js';
import { dashboardPermissions } from '../session-permissions.js';
import { openSession, signInError } from './federated-sign-in.js';
import { parseParams } from '../validate.js';

export interface SessionRouteOptions {
  readonly store: PrincipalStore;
  readonly resolver: PrincipalResolver;
  readonly sessions: Sessions;
  /** Adds `Secure` to the cookie: set when the server speaks TLS. */
  readonly secureCookie: boolean;
  readonly now: () => number;
  /** For the catalog permissions, decided with the catalog's resource policy. */
  readonly catalog?: Catalog;
  /** LDAP/AD sign-in, when configured; logging out revokes the temporary credentials a session was opened from. */
  readonly federation?: FederatedSignIn;
  readonly roleSessions?: RoleSessions;
  /** Slows failed password sign-ins of local users down per user name. */
  readonly throttle?: SignInThrottle;
}

const loginBody = z.union([
  z.object({ apiKey: z.string().min(1).max(512) }).strict(),
  z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }).strict(),
  // The password may be empty here so that the directory sign-in refuses it by its own rule (never a bind).
  z.object({ ldapUsername: z.string().min(1).max(256), ldapPassword: z.string().max(1024), role: z.string().max(64).optional() }).strict(),
]);

/** One answer for an unknown user and a wrong password, so the answer does not tell which names exist. */
const BAD_PASSWORD = 'the user name or password is not valid';

export async function sessionRoutes(app: FastifyInstance, options: SessionRouteOptions): Promise<void> {
  const cookie = (reply: FastifyReply, value: string, maxAgeSeconds: number): void => {
    reply.setCookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', secure: options.secureCookie, path: '/', maxAge: maxAgeSeconds });
  };

  app.post('/api/v1/sessions', async (request, reply) => {
    // Login CSRF (planting the attacker's session in a victim's browser) is refused like any other.
    checkCsrf(request);
    const body = parseParams(loginBody, request.body ?? {});
    if ('ldapUsername' in body) {
      if (options.federation === undefined || !options.federation.ldapEnabled) throw new ApiError(400, 'LDAP_NOT_CONFIGURED', 'LDAP sign-in is not configured on this server');
      request.auditDetail = { action: 'sts:AssumeRoleWithLDAPIdentity', resource: `ldap:${body.ldapUsername.slice(0, 256)}` };
      try {
        const issued = await options.federation.withLdap({
          username: body.ldapUsername,
          password: body.ldapPassword,
          roleArn: body.role === undefined ? undefined : `arn:yagura:iam:::role/${body.role}`,
          sourceIp: request.ip,
        });
        request.auditDetail = { action: 'sts:AssumeRoleWithLDAPIdentity', resource: issued.identity.userDn, principal: issued.arn, reason: `dashboard sign-in; issued ${issued.accessKeyId}` };
        const { expiresAt } = await openSession(reply, options.sessions, options.secureCookie, { name: issued.identity.username, accessKeyId: issued.accessKeyId, endsBy: issued.expiresAt });
        reply.code(201);
        return { name: issued.identity.username, role: issued.record.roleName, expiresAt: new Date(expiresAt).toISOString(), idleSeconds: options.sessions.policy.idleSeconds };
      } catch (error) {
        if (!(error instanceof StsError)) throw error;
        request.auditDetail = { ...request.auditDetail, reason: error.reason };
        throw signInError(error);
      }
    }
    let opened;
    if ('apiKey' in body) {
      const resolved = await options.resolver.byKey(body.apiKey);
      if (!resolved.ok) throw new ApiError(401, 'UNAUTHENTICATED', keyRefusal(resolved));
      opened = await options.sessions.open({ keyId: resolved.key.id, name: resolved.key.name });
      // The audit log names who signed in (login is a public route: nothing else set the principal).
      request.principal = resolved.principal;
    } else {
      const throttleKey = `local:${body.username}`;
      const wait = options.throttle?.retryAfterSeconds(throttleKey) ?? 0;
      if (wait > 0) throw new ApiError(429, 'SIGN_IN_THROTTLED', `too many failed sign-ins for this user; try again in ${wait} s`, { 'retry-after': String(wait) });
      // The scrypt work is done for an unknown user too (against a dummy hash), so timing does not tell.
      const stored = await options.store.passwordHash(body.username);
      if (!(await verifyPassword(body.password, stored))) {
        options.throttle?.failed(throttleKey);
        throw new ApiError(401, 'UNAUTHENTICATED', BAD_PASSWORD);
      }
      options.throttle?.succeeded(throttleKey);
      const user = (await options.store.getUser(body.username))!;
      opened = await options.sessions.open({ keyId: '', name: user.name, userName: user.name });
      request.principal = await options.resolver.byUser(user.name);
    }
    const { token, record } = opened;
    cookie(reply, token, options.sessions.policy.maxAgeSeconds);
    reply.code(201);
    return { name: record.name, expiresAt: new Date(record.expiresAt).toISOString(), idleSeconds: options.sessions.policy.idleSeconds };
  });

  app.get('/api/v1/sessions/current', async (request) => {
    const identity = request.identity!;
    return {
      name: identity.name,
      via: request.session ? 'session' : 'apiKey',
      ...(request.principal && { principal: { arn: request.principal.arn, kind: request.principal.kind, name: request.principal.name } }),
      ...(request.session && { expiresAt: new Date(request.session.expiresAt).toISOString() }),
      ...(request.principal?.roleSession && { roleSession: { source: request.principal.roleSession.source, sessionName: request.principal.roleSession.sessionName, expiresAt: new Date(request.principal.roleSession.expiresAt).toISOString() } }),
      permissions: dashboardPermissions(request, options.catalog, options.now()),
    };
  });

  app.delete('/api/v1/sessions/current', async (request, reply) => {
    if (request.session === undefined) throw new ApiError(400, 'NO_SESSION', 'this request is authenticated by an API key, not a session; there is nothing to log out of');
    await options.sessions.close(request.session.token);
    // Temporary credentials a sign-in issued end with the session: a copy of them cannot outlive the logout.
    const roleSession = request.principal?.roleSession;
    if (roleSession !== undefined && options.roleSessions !== undefined) {
      await options.roleSessions.revoke(roleSession.accessKeyId);
      request.auditDetail = { action: 'yagura:RevokeRoleSession', resource: `arn:yagura:sts:::session/${roleSession.accessKeyId}`, reason: 'logout' };
    }
    cookie(reply, '', 0);
    reply.code(204);
  });
}

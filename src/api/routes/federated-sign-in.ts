// Dashboard sign-in through federation: LDAP/AD user name and password, or an OpenID Connect provider's
// authorization code flow (PKCE, state, nonce; the code exchanged server-side). Both end in the same session
// cookie, opened from temporary credentials of a role: revoking those ends the session.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OidcDashboard } from '../../auth/federation/oidc/oidc-federation.js';
import { WebIdentityError } from '../../auth/federation/oidc/web-identity-error.js';
import type { FederatedSignIn, WebIdentity } from '../../auth/sts/federated-sign-in.js';
import type { PrincipalStore } from '../../auth/principals/principal-store.js';
import type { Sessions } from '../../auth/sessions.js';
import { StsError } from '../../auth/sts/sts-error.js';
import { ApiError } from '../api-error.js';
import { SESSION_COOKIE } from '../authenticate.js';

export interface FederatedSignInRouteOptions {
  readonly federation: FederatedSignIn;
  readonly oidc?: OidcDashboard | undefined;
  readonly sessions: Sessions;
  readonly store: PrincipalStore;
  readonly secureCookie: boolean;
  /** Where people reach Yagura; the OIDC redirect URI is built from it, else from the request's host. */
  readonly publicUrl?: string | undefined;
}

interface Pending {
  readonly providerId: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  readonly role: string | undefined;
  readonly createdAt: number;
}

const STATE_COOKIE = 'yagura_oidc_state';
const PENDING_TTL_MS = 10 * 60_000;
const MAX_PENDING = 10_000;
const CALLBACK = '/api/v1/sessions/oidc/callback';

/** An StsError as the dashboard API answers it. */
export function signInError(error: StsError): ApiError {
  switch (error.code) {
    case 'AccessDenied':
      return new ApiError(401, 'UNAUTHENTICATED', error.message);
    case 'Throttling':
      return new ApiError(429, 'SIGN_IN_THROTTLED', error.message, { 'retry-after': /(\d+) s/.exec(error.message)?.[1] ?? '1' });
    case 'ServiceUnavailable':
    case 'IDPCommunicationError':
      return new ApiError(503, 'IDENTITY_PROVIDER_UNAVAILABLE', error.message);
    default:
      return new ApiError(400, 'INVALID_SIGN_IN', error.message);
  }
}

export async function federatedSignInRoutes(app: FastifyInstance, options: FederatedSignInRouteOptions): Promise<void> {
  const { federation, oidc, sessions } = options;
  const pending = new Map<string, Pending>();

  app.get('/api/v1/sessions/methods', async () => ({
    password: true,
    apiKey: true,
    ldap: federation.ldapEnabled,
    oidc: oidc?.providers().map((p) => ({ id: p.id, displayName: p.displayName, url: `/api/v1/sessions/oidc/${encodeURIComponent(p.id)}` })) ?? [],
  }));

  if (oidc === undefined) return;

  const base = (request: FastifyRequest): string => options.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
  const sweep = (now: number): void => {
    for (const [state, p] of pending) if (now - p.createdAt > PENDING_TTL_MS) pending.delete(state);
  };

  app.get('/api/v1/sessions/oidc/:provider', async (request, reply) => {
    const providerId = (request.params as { provider: string }).provider;
    if (!oidc.providers().some((p) => p.id === providerId)) throw new ApiError(404, 'PROVIDER_NOT_FOUND', 'there is no OpenID Connect provider with this id');
    const role = (request.query as { role?: unknown }).role;
    if (role !== undefined && (typeof role !== 'string' || !/^[A-Za-z0-9+=,.@_-]{1,64}$/.test(role))) throw new ApiError(400, 'INVALID_PARAMETER', '"role" must be a role name');
    const redirectUri = `${base(request)}${CALLBACK}`;
    let begun;
    try {
      begun = await oidc.begin(providerId, redirectUri);
    } catch (error) {
      if (error instanceof StsError) throw signInError(error);
      request.auditDetail = { action: 'sts:AssumeRoleWithWebIdentity', reason: error instanceof Error ? error.message : 'the provider could not be reached' };
      throw new ApiError(503, 'IDENTITY_PROVIDER_UNAVAILABLE', 'the identity provider could not be reached; try again later');
    }
    const now = Date.now();
    sweep(now);
    if (pending.size >= MAX_PENDING) throw new ApiError(503, 'TOO_MANY_SIGN_INS', 'too many sign-ins are in progress; try again in a few minutes');
    pending.set(begun.state, { providerId, nonce: begun.nonce, codeVerifier: begun.codeVerifier, redirectUri, role: role as string | undefined, createdAt: now });
    // Lax, not Strict: the provider's redirect back is a cross-site top-level navigation that must carry it.
    reply.setCookie(STATE_COOKIE, begun.state, { httpOnly: true, sameSite: 'lax', secure: options.secureCookie, path: CALLBACK, maxAge: PENDING_TTL_MS / 1000 });
    return reply.redirect(begun.url, 302);
  });

  app.get(CALLBACK, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const state = typeof query.state === 'string' ? query.state : '';
    const held = pending.get(state);
    // The state must be one we issued, to this browser (login CSRF), and used once.
    if (held === undefined || request.cookies[STATE_COOKIE] !== state || Date.now() - held.createdAt > PENDING_TTL_MS) {
      request.auditDetail = { action: 'sts:AssumeRoleWithWebIdentity', reason: 'unknown, expired or foreign state' };
      throw new ApiError(400, 'INVALID_SIGN_IN', 'this sign-in is unknown or has expired; start again from the login page');
    }
    pending.delete(state);
    reply.clearCookie(STATE_COOKIE, { path: CALLBACK });
    if (typeof query.error === 'string') {
      request.auditDetail = { action: 'sts:AssumeRoleWithWebIdentity', reason: `the provider refused: ${query.error.slice(0, 100)}` };
      throw new ApiError(401, 'UNAUTHENTICATED', 'the identity provider did not sign you in');
    }
    try {
      const identity = await oidc.complete(held.providerId, callbackUrl(held.redirectUri, request.url), { state, nonce: held.nonce, codeVerifier: held.codeVerifier });
      const role = held.role ?? (await onlyTrustedRole(options.store, federation, identity));
      const issued = await federation.withVerifiedWebIdentity(identity, { roleName: role, sessionName: sessionNameOf(identity), sourceIp: request.ip });
      request.auditDetail = { action: 'sts:AssumeRoleWithWebIdentity', resource: `arn:yagura:iam:::role/${role}`, principal: issued.arn, reason: `dashboard sign-in; issued ${issued.accessKeyId} to ${issued.record.subject}` };
      await openSession(reply, sessions, options.secureCookie, { name: identity.email ?? identity.subject, accessKeyId: issued.accessKeyId, endsBy: issued.expiresAt });
      return reply.redirect('/', 302);
    } catch (error) {
      if (error instanceof StsError) {
        request.auditDetail = { action: 'sts:AssumeRoleWithWebIdentity', reason: error.reason };
        throw signInError(error);
      }
      if (error instanceof WebIdentityError) {
        request.auditDetail = { action: 'sts:AssumeRoleWithWebIdentity', reason: `${error.code}: ${error.message}` };
        if (error.code === 'IDPCommunicationError') throw new ApiError(503, 'IDENTITY_PROVIDER_UNAVAILABLE', 'the identity provider could not be reached; try again later');
        throw new ApiError(401, 'UNAUTHENTICATED', 'the identity provider did not sign you in');
      }
      throw error;
    }
  });
}

/** The callback as the provider called it: the registered redirect URI with the query the browser brought. */
function callbackUrl(redirectUri: string, target: string): URL {
  const url = new URL(redirectUri);
  const at = target.indexOf('?');
  url.search = at < 0 ? '' : target.slice(at);
  return url;
}

/** Opens the dashboard session for temporary credentials and sets its cookie. */
export async function openSession(
  reply: FastifyReply,
  sessions: Sessions,
  secureCookie: boolean,
  of: { readonly name: string; readonly accessKeyId: string; readonly endsBy: number },
): Promise<{ readonly expiresAt: number }> {
  const { token, record } = await sessions.open({ keyId: '', name: of.name.slice(0, 200), accessKeyId: of.accessKeyId, endsBy: of.endsBy });
  const maxAge = Math.max(1, Math.floor((record.expiresAt - Date.now()) / 1000));
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: secureCookie, path: '/', maxAge });
  return { expiresAt: record.expiresAt };
}

/** The one role whose trust policy lets this identity in; with several, the person must choose one. */
async function onlyTrustedRole(store: PrincipalStore, federation: FederatedSignIn, identity: WebIdentity): Promise<string> {
  const names: string[] = [];
  let after: string | undefined;
  do {
    const page = await store.listRoles({ limit: 1000, ...(after !== undefined && { after }) });
    names.push(...page.items.filter((r) => r.trustPolicy !== null).map((r) => r.name));
    after = page.next;
  } while (after !== undefined);
  const trusted = await federation.trustedRoles(identity, names);
  if (trusted.length === 0) throw new StsError('AccessDenied', 'no role may be assumed with this identity', `no trust policy allows ${identity.issuer} ${identity.subject}`);
  if (trusted.length > 1) throw new StsError('ValidationError', `this identity may assume several roles (${trusted.join(', ')}); sign in again choosing one`);
  return trusted[0]!;
}

/** A RoleSessionName from the token: its e-mail or subject, in STS's character set. */
function sessionNameOf(identity: WebIdentity): string {
  const name = (identity.email ?? identity.subject).replace(/[^\w+=,.@-]/g, '_').slice(0, 64);
  return name.length >= 2 ? name : `${name}__`.slice(0, 2);
}


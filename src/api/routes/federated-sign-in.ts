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
const ERROR_CODE = /^\{"error":\{"code":"([A-Z][A-Z0-9_]{0,63})"/;

/** What the login page is told when a browser sign-in fails: codes and names it can check, never free text. */
interface Return {
  readonly provider?: string;
  /** The roles this identity may assume, when it must choose one. */
  readonly roles?: readonly string[];
}

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

  // These two routes are reached by full-page navigations: a failure sends the person back to the login page
  // (a readable sentence there) instead of showing them JSON. Scripts still get the JSON error. The status stays
  // the error's, and this hook runs after the audit log's, which records the coded error as for any route.
  const returns = new WeakMap<FastifyRequest, Return>();
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== 'string' || !isNavigation(request)) return payload;
    const code = ERROR_CODE.exec(payload)?.[1] ?? 'SIGN_IN_FAILED';
    const message = messageOf(payload) ?? 'the sign-in did not complete';
    reply.header('content-type', 'text/html; charset=utf-8');
    return failurePage(message, loginPageUrl(code, returns.get(request) ?? {}));
  });

  const base = (request: FastifyRequest): string => options.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
  const sweep = (now: number): void => {
    for (const [state, p] of pending) if (now - p.createdAt > PENDING_TTL_MS) pending.delete(state);
  };

  app.get('/api/v1/sessions/oidc/:provider', async (request, reply) => {
    const providerId = (request.params as { provider: string }).provider;
    if (!oidc.providers().some((p) => p.id === providerId)) throw new ApiError(404, 'PROVIDER_NOT_FOUND', 'there is no OpenID Connect provider with this id');
    returns.set(request, { provider: providerId });
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
    returns.set(request, { provider: held.providerId });
    if (typeof query.error === 'string') {
      request.auditDetail = { action: 'sts:AssumeRoleWithWebIdentity', reason: `the provider refused: ${query.error.slice(0, 100)}` };
      throw new ApiError(401, 'UNAUTHENTICATED', 'the identity provider did not sign you in');
    }
    try {
      const identity = await oidc.complete(held.providerId, callbackUrl(held.redirectUri, request.url), { state, nonce: held.nonce, codeVerifier: held.codeVerifier });
      let role = held.role;
      if (role === undefined) {
        const trusted = await trustedRoles(options.store, federation, identity);
        if (trusted.length > 1) returns.set(request, { provider: held.providerId, roles: trusted });
        role = onlyRole(trusted, identity);
      }
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

/** The roles whose trust policy lets this identity in. */
async function trustedRoles(store: PrincipalStore, federation: FederatedSignIn, identity: WebIdentity): Promise<readonly string[]> {
  const names: string[] = [];
  let after: string | undefined;
  do {
    const page = await store.listRoles({ limit: 1000, ...(after !== undefined && { after }) });
    names.push(...page.items.filter((r) => r.trustPolicy !== null).map((r) => r.name));
    after = page.next;
  } while (after !== undefined);
  return federation.trustedRoles(identity, names);
}

/** The one trusted role; with several, the person must choose one. */
function onlyRole(trusted: readonly string[], identity: WebIdentity): string {
  if (trusted.length === 0) throw new StsError('AccessDenied', 'no role may be assumed with this identity', `no trust policy allows ${identity.issuer} ${identity.subject}`);
  if (trusted.length > 1) throw new StsError('ValidationError', `this identity may assume several roles (${trusted.join(', ')}); sign in again choosing one`);
  return trusted[0]!;
}

/** Whether the request is a browser's page navigation (a person), not a script's fetch. */
function isNavigation(request: FastifyRequest): boolean {
  const mode = request.headers['sec-fetch-mode'];
  if (mode !== undefined) return mode === 'navigate';
  return /\btext\/html\b/.test(request.headers.accept ?? '');
}

function messageOf(payload: string): string | undefined {
  try {
    const message = (JSON.parse(payload) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

/** `/login?error=CODE&provider=ID&roles=…`: the login page words the code itself, so a forged link cannot put text in it. */
function loginPageUrl(code: string, back: Return): string {
  const query = new URLSearchParams({ error: code });
  if (back.provider !== undefined) query.set('provider', back.provider);
  for (const role of back.roles ?? []) query.append('roles', role);
  return `/login?${query.toString()}`;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** A page that moves on to the login page at once (a meta refresh: the CSP allows no script), with a link if not. */
function failurePage(message: string, next: string): string {
  const href = escapeHtml(next);
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="refresh" content="0; url=${href}">`,
    '<title>Sign-in failed · Yagura</title></head><body>',
    `<p>Sign-in failed: ${escapeHtml(message)}.</p><p><a href="${href}">Back to the sign-in page</a></p>`,
    '</body></html>',
  ].join('');
}

/** A RoleSessionName from the token: its e-mail or subject, in STS's character set. */
function sessionNameOf(identity: WebIdentity): string {
  const name = (identity.email ?? identity.subject).replace(/[^\w+=,.@-]/g, '_').slice(0, 64);
  return name.length >= 2 ? name : `${name}__`.slice(0, 2);
}


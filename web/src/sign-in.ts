// The ways the server lets people sign in (GET /api/v1/sessions/methods), and the words for what went wrong.
import { api } from './api.js';

export interface OidcMethod {
  readonly id: string;
  readonly displayName: string;
  /** Where the browser goes to start the provider's sign-in. */
  readonly url: string;
}

export interface SignInMethods {
  readonly password: boolean;
  readonly apiKey: boolean;
  readonly ldap: boolean;
  readonly oidc: readonly OidcMethod[];
}

/** What every server offers, for when it cannot say (an older server, or a failed request). */
export const BASIC_METHODS: SignInMethods = { password: true, apiKey: true, ldap: false, oidc: [] };

export function signInMethods(): Promise<SignInMethods> {
  return api<SignInMethods>('/api/v1/sessions/methods').catch(() => BASIC_METHODS);
}

/** A role name as IAM (and the server) allow it. */
export const ROLE_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;

/** The roles named in "… maps to several roles (a, b); …": the server's answer when a person must choose one. */
export function rolesToChoose(message: string): string[] | undefined {
  const listed = /several roles \(([^)]*)\)/.exec(message)?.[1];
  if (listed === undefined) return undefined;
  const roles = listed.split(', ').filter((r) => ROLE_NAME.test(r));
  return roles.length > 0 ? roles : undefined;
}

/** The URL that starts a provider's sign-in, naming the role to assume when one is chosen. */
export function providerStart(method: OidcMethod, role: string): string {
  return role === '' ? method.url : `${method.url}?${new URLSearchParams({ role }).toString()}`;
}

/** `ldap` → "LDAP", `oidc:corp` → the provider's display name (its id when the list does not have it). */
export function sourceName(source: string, providers: readonly OidcMethod[]): string {
  if (source === 'ldap') return 'LDAP';
  if (source.startsWith('oidc:')) {
    const id = source.slice('oidc:'.length);
    return providers.find((p) => p.id === id)?.displayName ?? id;
  }
  return source;
}

export interface ReturnedFailure {
  readonly message: string;
  /** The provider the sign-in was with, when the server named one we know. */
  readonly provider?: OidcMethod;
  /** Roles to choose from, when the identity may assume several. */
  readonly roles?: readonly string[];
}

/**
 * A provider sign-in that failed comes back as `/login?error=CODE&provider=ID&roles=…`. Only codes travel in the
 * link, worded here, so a link someone else made cannot put their text on this page.
 */
export function returnedFailure(params: URLSearchParams, providers: readonly OidcMethod[]): ReturnedFailure | undefined {
  const code = params.get('error');
  if (code === null) return undefined;
  const provider = providers.find((p) => p.id === params.get('provider'));
  const who = provider?.displayName ?? 'The identity provider';
  const roles = params.getAll('roles').filter((r) => ROLE_NAME.test(r));
  const base = { ...(provider && { provider }) };
  if (roles.length > 1) return { ...base, roles, message: `${who} signed you in with an identity that may use several roles (${roles.join(', ')}). Choose one and sign in again.` };
  switch (code) {
    case 'UNAUTHENTICATED':
      return { ...base, message: `${who} did not sign you in, or no role accepts this identity.` };
    case 'INVALID_SIGN_IN':
      return { ...base, message: 'This sign-in is unknown or has expired. Start again.' };
    case 'IDENTITY_PROVIDER_UNAVAILABLE':
      return { ...base, message: `${who} could not be reached. Try again later.` };
    case 'SIGN_IN_THROTTLED':
    case 'RATE_LIMITED':
    case 'TOO_MANY_SIGN_INS':
      return { ...base, message: 'There are too many sign-ins just now. Wait a minute and try again.' };
    case 'PROVIDER_NOT_FOUND':
      return { message: 'This server has no such identity provider.' };
    default:
      return { ...base, message: /^[A-Z_]{1,64}$/.test(code) ? `The sign-in did not complete (${code}).` : 'The sign-in did not complete.' };
  }
}

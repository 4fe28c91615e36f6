// OpenID Connect providers in the configuration file (`oidc.providers`) and in YAGURA_OIDC_* variables for one.
import { z } from 'zod';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a URL's host is this machine: plain HTTP is only ever acceptable there (tests, development). */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || /^127(\.\d{1,3}){3}$/.test(url.hostname);
}

/** `https://login.example.com/realms/x/` → `login.example.com/realms/x`: how IAM names an OIDC provider. */
export function hostAndPath(issuer: string): string {
  const url = new URL(issuer);
  return `${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export const oidcProviderSchema = z
  .object({
    /** Names the provider in ProviderId, in the sign-in URL and in logs: 1 to 64 of a-z 0-9 _ . - */
    id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'a provider id is 1 to 64 characters among a-z 0-9 _ . -'),
    /** Shown on the login page as "Sign in with <displayName>"; the id when absent. */
    displayName: z.string().min(1).max(100).optional(),
    /** Exactly as the provider writes `iss` in its tokens and `issuer` in its discovery document. */
    issuer: z.url({ protocol: /^https?$/ }).max(2048),
    clientId: z.string().min(1).max(512),
    /** For the dashboard's code exchange; without it the exchange is a public client's (PKCE alone). */
    clientSecret: z.string().min(1).max(4096).optional(),
    /** Values of `aud` accepted in web identity tokens; `[clientId]` when absent. */
    audiences: z.array(z.string().min(1).max(512)).min(1).max(100).optional(),
    /** The claim holding the user's groups; a dotted path (`realm_access.roles`) reaches into an object. */
    groupsClaim: z.string().min(1).max(256).default('groups'),
    scopes: z.array(z.string().regex(SCOPE_TOKEN, 'a scope is printable ASCII without spaces, quotes or backslashes').max(256)).min(1).max(50).default(['openid', 'profile', 'email']),
    /** Accept an `http:` issuer, only on a loopback address (tests and development). */
    allowInsecureHttp: z.boolean().default(false),
  })
  .strict()
  .superRefine((p, ctx) => {
    const url = new URL(p.issuer);
    if (url.search !== '' || url.hash !== '' || p.issuer.includes('?') || p.issuer.includes('#')) {
      ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'an issuer has no query or fragment' });
    }
    if (url.protocol === 'http:' && !p.allowInsecureHttp) {
      ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'an issuer must be https (http only on a loopback address with allowInsecureHttp)' });
    }
    if (p.allowInsecureHttp && !isLoopbackUrl(url)) {
      ctx.addIssue({ code: 'custom', path: ['allowInsecureHttp'], message: 'allowInsecureHttp is only for an issuer on a loopback address' });
    }
    if (!p.scopes.includes('openid')) ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'the scopes must include openid' });
  })
  .transform((p) => ({ ...p, displayName: p.displayName ?? p.id, audiences: p.audiences ?? [p.clientId] }));

export type OidcProviderConfig = Readonly<z.output<typeof oidcProviderSchema>>;

/** The `oidc` section of the configuration file. */
export const oidcConfigSchema = z
  .object({ providers: z.array(oidcProviderSchema).max(50).default([]) })
  .strict()
  .superRefine((c, ctx) => {
    const seen = { id: new Set<string>(), issuer: new Set<string>() };
    c.providers.forEach((p, i) => {
      // A token is matched to its provider by `iss`, so an issuer can be configured once (with several audiences).
      for (const field of ['id', 'issuer'] as const) {
        if (seen[field].has(p[field])) ctx.addIssue({ code: 'custom', path: ['providers', i, field], message: `another provider has the ${field} ${JSON.stringify(p[field])}` });
        seen[field].add(p[field]);
      }
    });
  })
  .prefault({});

export type OidcConfig = Readonly<z.output<typeof oidcConfigSchema>>;

/** Variables for one provider, and the option each sets. Lists are separated by commas or spaces. */
export const OIDC_ENV: ReadonlyArray<readonly [string, keyof z.input<typeof oidcProviderSchema>, 'string' | 'list' | 'boolean']> = [
  ['YAGURA_OIDC_PROVIDER_ID', 'id', 'string'],
  ['YAGURA_OIDC_DISPLAY_NAME', 'displayName', 'string'],
  ['YAGURA_OIDC_ISSUER', 'issuer', 'string'],
  ['YAGURA_OIDC_CLIENT_ID', 'clientId', 'string'],
  ['YAGURA_OIDC_CLIENT_SECRET', 'clientSecret', 'string'],
  ['YAGURA_OIDC_AUDIENCES', 'audiences', 'list'],
  ['YAGURA_OIDC_GROUPS_CLAIM', 'groupsClaim', 'string'],
  ['YAGURA_OIDC_SCOPES', 'scopes', 'list'],
  ['YAGURA_OIDC_ALLOW_INSECURE_HTTP', 'allowInsecureHttp', 'boolean'],
];

/** The provider id used when YAGURA_OIDC_PROVIDER_ID is not set. */
export const DEFAULT_ENV_PROVIDER_ID = 'oidc';

/**
 * The raw (unvalidated) provider that YAGURA_OIDC_* variables describe, or undefined when none is set. A boolean
 * that is not true/false/1/0 is kept as text so that validation names the variable's option.
 */
export function oidcProviderFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> | undefined {
  const raw: Record<string, unknown> = {};
  for (const [name, option, kind] of OIDC_ENV) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    if (kind === 'list') raw[option] = text.split(/[\s,]+/).filter((s) => s !== '');
    else if (kind === 'boolean') raw[option] = text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
    else raw[option] = text;
  }
  if (Object.keys(raw).length === 0) return undefined;
  return { id: DEFAULT_ENV_PROVIDER_ID, ...raw };
}

/**
 * The raw `oidc` section with the environment's provider merged in: its options override those of the file's
 * provider with the same id (so a file can hold the issuer and the environment the secret), or it is added after
 * the file's providers. The loader calls this before validating, so env and file are checked by the same schema.
 */
export function withOidcProviderFromEnv(rawOidc: unknown, env: NodeJS.ProcessEnv): unknown {
  const fromEnv = oidcProviderFromEnv(env);
  if (fromEnv === undefined) return rawOidc;
  const section = isRecord(rawOidc) ? rawOidc : {};
  const listed = Array.isArray(section.providers) ? (section.providers as unknown[]) : [];
  const index = listed.findIndex((p) => isRecord(p) && p.id === fromEnv.id);
  const providers = index < 0 ? [...listed, fromEnv] : listed.map((p, i) => (i === index ? { ...(p as Record<string, unknown>), ...fromEnv } : p));
  return { ...section, providers };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// The configured OpenID Connect providers with, per provider, its discovered metadata and signing keys: fetched on
// first use, cached, and refreshed in the background so a provider outage does not stop tokens already verifiable.
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import * as client from 'openid-client';
import { hostAndPath, isLoopbackUrl, type OidcProviderConfig } from './provider-config.js';
import { WebIdentityError } from './web-identity-error.js';

export interface OidcProvidersOptions {
  /** Each HTTP request to a provider: discovery, key set, code exchange. */
  readonly timeoutSeconds?: number;
  /**
   * After a token with an unknown `kid` made the key set be fetched again, other unknown `kid`s within this time
   * are refused without fetching, so tokens with made-up `kid`s cannot make Yagura hammer the provider.
   */
  readonly jwksCooldownSeconds?: number;
  /** Keys are fetched again when older than this, so a key the provider removed stops verifying. */
  readonly jwksMaxAgeSeconds?: number;
  readonly discoveryMaxAgeSeconds?: number;
  readonly now?: () => number;
}

/** What Yagura learns from a provider's discovery document. */
export interface DiscoveredProvider {
  /** openid-client's configuration for the code flow, with the client's authentication. */
  readonly client: client.Configuration;
  /** The provider's signing keys, selected by `kid`. */
  readonly keys: JWTVerifyGetKey;
  readonly jwksUri: string;
  readonly discoveredAt: number;
}

const DEFAULTS = { timeoutSeconds: 10, jwksCooldownSeconds: 30, jwksMaxAgeSeconds: 600, discoveryMaxAgeSeconds: 3600 };

/** The claim-time tolerance openid-client applies to ID tokens from the code exchange, the same as verification's. */
export const CLOCK_TOLERANCE_SECONDS = 60;

/**
 * Why a request to the provider failed: the system error code when there is one (ECONNREFUSED, ENOTFOUND), else
 * the library's sentence, which names the failure (status, content type, timeout) but never a response body.
 */
function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message.slice(0, 160) : 'unknown error';
}

export function unreachable(provider: OidcProviderConfig, what: string, error: unknown): WebIdentityError {
  return new WebIdentityError('IDPCommunicationError', `could not read the ${what} of OpenID Connect provider "${provider.id}" (${reason(error)})`);
}

function checkEndpoint(provider: OidcProviderConfig, name: string, text: unknown): URL {
  const url = typeof text === 'string' && URL.canParse(text) ? new URL(text) : undefined;
  const secure = url?.protocol === 'https:' || (url?.protocol === 'http:' && provider.allowInsecureHttp && isLoopbackUrl(url));
  if (!url || !secure) {
    throw new WebIdentityError('IDPCommunicationError', `the discovery document of OpenID Connect provider "${provider.id}" has no usable ${name} (it must be an https URL)`);
  }
  return url;
}

function clientAuthentication(provider: OidcProviderConfig, metadata: client.ServerMetadata): client.ClientAuth {
  if (provider.clientSecret === undefined) return client.None();
  // OpenID Connect Discovery: when the provider lists no methods, client_secret_basic is the one it supports.
  const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  if (!methods.includes('client_secret_basic') && methods.includes('client_secret_post')) return client.ClientSecretPost(provider.clientSecret);
  return client.ClientSecretBasic(provider.clientSecret);
}

export class OidcProviders {
  private readonly settings: Required<OidcProvidersOptions>;
  private readonly discovered = new Map<string, DiscoveredProvider>();
  private readonly pending = new Map<string, Promise<DiscoveredProvider>>();

  constructor(
    private readonly providers: readonly OidcProviderConfig[],
    options: OidcProvidersOptions = {},
  ) {
    this.settings = { ...DEFAULTS, now: Date.now, ...options };
  }

  /** Every configured provider, in configuration order (the login page's buttons). */
  list(): readonly OidcProviderConfig[] {
    return this.providers;
  }

  /** The provider an AssumeRoleWithWebIdentity `ProviderId` names: by its id, or by its issuer's host and path. */
  byId(providerId: string): OidcProviderConfig | undefined {
    return this.providers.find((p) => p.id === providerId) ?? this.providers.find((p) => hostAndPath(p.issuer) === providerId);
  }

  /** The provider whose issuer is exactly `iss`. */
  byIssuer(iss: string): OidcProviderConfig | undefined {
    return this.providers.find((p) => p.issuer === iss);
  }

  /** The provider's discovered metadata and keys; throws IDPCommunicationError when they cannot be read. */
  async discover(provider: OidcProviderConfig): Promise<DiscoveredProvider> {
    const cached = this.discovered.get(provider.id);
    if (cached && this.settings.now() - cached.discoveredAt < this.settings.discoveryMaxAgeSeconds * 1000) return cached;
    const refresh = this.refresh(provider, cached);
    if (!cached) return refresh;
    // Stale: keep serving what was discovered while the document is fetched again; a failure keeps the old one.
    refresh.catch(() => undefined);
    return cached;
  }

  private refresh(provider: OidcProviderConfig, previous: DiscoveredProvider | undefined): Promise<DiscoveredProvider> {
    let pending = this.pending.get(provider.id);
    if (!pending) {
      pending = this.fetchDiscovery(provider, previous)
        .then((found) => {
          this.discovered.set(provider.id, found);
          return found;
        })
        .finally(() => this.pending.delete(provider.id));
      this.pending.set(provider.id, pending);
    }
    return pending;
  }

  private async fetchDiscovery(provider: OidcProviderConfig, previous: DiscoveredProvider | undefined): Promise<DiscoveredProvider> {
    const execute = provider.allowInsecureHttp ? [client.allowInsecureRequests] : [];
    let metadata: client.ServerMetadata;
    try {
      const found = await client.discovery(new URL(provider.issuer), provider.clientId, undefined, client.None(), { execute, timeout: this.settings.timeoutSeconds });
      metadata = { ...found.serverMetadata() };
    } catch (error) {
      throw unreachable(provider, 'discovery document', error);
    }
    if (metadata.issuer !== provider.issuer) {
      // openid-client compares issuers as URLs; tokens are matched by `iss` as text, so the spelling must agree.
      throw new WebIdentityError('IDPCommunicationError', `the discovery document of OpenID Connect provider "${provider.id}" spells its issuer differently from the configuration; write the issuer exactly as the provider does`);
    }
    const jwksUri = checkEndpoint(provider, 'jwks_uri', metadata.jwks_uri).href;
    for (const name of ['authorization_endpoint', 'token_endpoint'] as const) if (metadata[name] !== undefined) checkEndpoint(provider, name, metadata[name]);
    const keys =
      previous?.jwksUri === jwksUri
        ? previous.keys
        : createRemoteJWKSet(new URL(jwksUri), {
            timeoutDuration: this.settings.timeoutSeconds * 1000,
            cooldownDuration: this.settings.jwksCooldownSeconds * 1000,
            cacheMaxAge: this.settings.jwksMaxAgeSeconds * 1000,
          });
    const clientMetadata: Partial<client.ClientMetadata> = { [client.clockTolerance]: CLOCK_TOLERANCE_SECONDS, ...(provider.clientSecret !== undefined && { client_secret: provider.clientSecret }) };
    const configuration = new client.Configuration(metadata, provider.clientId, clientMetadata, clientAuthentication(provider, metadata));
    configuration.timeout = this.settings.timeoutSeconds;
    if (provider.allowInsecureHttp) client.allowInsecureRequests(configuration);
    return { client: configuration, keys, jwksUri, discoveredAt: this.settings.now() };
  }
}

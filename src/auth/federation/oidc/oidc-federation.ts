// The configured OpenID Connect providers as federation uses them: verifying tokens for AssumeRoleWithWebIdentity,
// the trust-policy view of a verified token, and the dashboard's authorization code flow.
import type { RequestContext } from '../../policy/document.js';
import type { WebIdentityVerifier } from '../../sts/federated-sign-in.js';
import type { OidcProviders } from './oidc-providers.js';
import { beginSignIn, completeSignIn, type SignInChecks, type SignInStart } from './sign-in.js';
import type { VerifiedWebIdentity } from './verified-web-identity.js';
import { verifyWebIdentityToken } from './verify-web-identity-token.js';
import { oidcProviderArn, webIdentityContext } from './web-identity-context.js';

/** The dashboard side of the providers: the redirect to one, and the code exchange on return. */
export interface OidcDashboard {
  providers(): readonly { readonly id: string; readonly displayName: string }[];
  begin(providerId: string, redirectUri: string): Promise<SignInStart>;
  complete(providerId: string, callbackUrl: URL, checks: SignInChecks): Promise<VerifiedWebIdentity>;
}

export class OidcFederation implements WebIdentityVerifier, OidcDashboard {
  constructor(private readonly configured: OidcProviders) {}

  verify(token: string, providerId?: string): Promise<VerifiedWebIdentity> {
    return verifyWebIdentityToken(token, this.configured, providerId === undefined ? {} : { providerId });
  }

  contextOf(identity: VerifiedWebIdentity): RequestContext {
    return webIdentityContext(identity);
  }

  federatedPrincipal(identity: VerifiedWebIdentity): string {
    return oidcProviderArn(identity.issuer);
  }

  providers(): readonly { readonly id: string; readonly displayName: string }[] {
    return this.configured.list().map((p) => ({ id: p.id, displayName: p.displayName }));
  }

  begin(providerId: string, redirectUri: string): Promise<SignInStart> {
    return beginSignIn(this.configured, providerId, redirectUri);
  }

  complete(providerId: string, callbackUrl: URL, checks: SignInChecks): Promise<VerifiedWebIdentity> {
    return completeSignIn(this.configured, providerId, callbackUrl, checks);
  }
}

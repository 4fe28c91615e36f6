// A real OpenID Connect issuer on loopback for tests: keys generated at start (jose), a discovery document, a JWKS,
// key rotation, tokens signed on demand (hostile ones included), and an auto-approving authorization code flow with
// PKCE whose token endpoint checks the client secret, the redirect URI and the verifier.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface TestUser {
  readonly sub: string;
  /** Further claims of the user's ID tokens: email, groups, amr, … */
  readonly claims?: Readonly<Record<string, unknown>>;
}

export interface OidcIssuerOptions {
  /** The issuer's path, e.g. `/realms/yagura`; none by default. */
  readonly path?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Redirect URIs registered for the client; /authorize refuses others. */
  readonly redirectUris?: readonly string[];
  /** The user /authorize signs in without asking. */
  readonly user?: TestUser;
}

export type KeyAlgorithm = 'RS256' | 'ES256';

/**
 * - `none`: `alg: none`, no signature;
 * - `hs256-public-pem` / `hs256-public-jwk`: HS256 with the published key's SPKI PEM (or JWK JSON) as the secret;
 * - `unpublished-key`: a real RS256 key the JWKS does not list, under its own `kid`;
 * - `kid-of-published-key`: the unpublished key's signature under a published key's `kid`.
 */
export type HostileSigning = 'none' | 'hs256-public-pem' | 'hs256-public-jwk' | 'unpublished-key' | 'kid-of-published-key';

export interface SignOptions {
  /** Which current key signs (RS256 by default). */
  readonly alg?: KeyAlgorithm;
  /** Sign with the key of this `kid`, current or removed by rotate(). */
  readonly kid?: string;
  readonly hostile?: HostileSigning;
}

export type IssuerEndpoint = 'discovery' | 'jwks' | 'authorize' | 'token';

interface SigningKey {
  readonly kid: string;
  readonly alg: KeyAlgorithm;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly publicPem: string;
}

interface Grant {
  readonly redirectUri: string;
  readonly challenge: string;
  readonly nonce: string | undefined;
  readonly expiresAt: number;
  used: boolean;
}

let generation = 0;

async function newKey(alg: KeyAlgorithm, kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

const now = (): number => Math.floor(Date.now() / 1000);
const base64url = (bytes: Buffer): string => bytes.toString('base64url');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

export class OidcIssuer {
  /** Requests served, by endpoint. */
  readonly requests: Record<IssuerEndpoint, number> = { discovery: 0, jwks: 0, authorize: 0, token: 0 };
  /** Endpoints that answer 503 while listed. */
  readonly unavailable = new Set<IssuerEndpoint>();
  /** Whether /authorize approves (redirects with a code) or denies (redirects with error=access_denied). */
  consent: 'approve' | 'deny' = 'approve';
  /** How /token signs the ID tokens it returns (hostile signing included). */
  idTokenSigning: SignOptions = {};
  user: TestUser;

  private readonly keys = new Map<string, SigningKey>();
  private published: string[] = [];
  private readonly grants = new Map<string, Grant>();
  private server!: Server;
  private unpublished!: SigningKey;
  private issuerUrl = '';

  private constructor(
    private readonly options: OidcIssuerOptions,
    readonly clientId: string,
    readonly clientSecret: string,
  ) {
    this.user = options.user ?? { sub: 'alice' };
  }

  static async start(options: OidcIssuerOptions = {}): Promise<OidcIssuer> {
    const issuer = new OidcIssuer(options, options.clientId ?? 'yagura-dashboard', options.clientSecret ?? base64url(randomBytes(24)));
    await issuer.rotate();
    issuer.unpublished = await newKey('RS256', `unpublished-${++generation}`);
    issuer.server = createServer((req, res) => {
      issuer.handle(req, res).catch(() => json(res, 500, { error: 'server_error' }));
    });
    issuer.server.listen(0, '127.0.0.1');
    await once(issuer.server, 'listening');
    issuer.issuerUrl = `http://127.0.0.1:${(issuer.server.address() as AddressInfo).port}${options.path ?? ''}`;
    return issuer;
  }

  /** The issuer identifier, exactly as tokens and the discovery document write it. */
  get issuer(): string {
    return this.issuerUrl;
  }

  /** The `kid`s the JWKS lists now. */
  get publishedKids(): readonly string[] {
    return this.published;
  }

  /** Generates a new RS256 and ES256 key and publishes them; `keepOld: false` also stops publishing the old ones. */
  async rotate(options: { keepOld?: boolean } = {}): Promise<readonly string[]> {
    const n = ++generation;
    const fresh = await Promise.all([newKey('RS256', `rsa-${n}`), newKey('ES256', `ec-${n}`)]);
    for (const key of fresh) this.keys.set(key.kid, key);
    const kids = fresh.map((k) => k.kid);
    this.published = options.keepOld ? [...this.published, ...kids] : kids;
    return kids;
  }

  /** Default claims (iss, aud = client id, sub, iat, exp in 5 minutes, the user's claims), then `claims` over them. */
  claimsFor(claims: Readonly<Record<string, unknown>> = {}): JWTPayload {
    const t = now();
    const merged: Record<string, unknown> = { iss: this.issuer, aud: this.clientId, sub: this.user.sub, iat: t, exp: t + 300, ...this.user.claims, ...claims };
    for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
    return merged as JWTPayload;
  }

  /** A token with these claims (see claimsFor; a claim set to undefined is left out), signed as `options` say. */
  async sign(claims: Readonly<Record<string, unknown>> = {}, options: SignOptions = {}): Promise<string> {
    const payload = this.claimsFor(claims);
    const key = options.kid !== undefined ? this.keys.get(options.kid) : this.current(options.alg ?? 'RS256');
    if (!key) throw new Error(`the test issuer has no key ${options.kid}`);
    switch (options.hostile) {
      case 'none':
        return new UnsecuredJWT(payload).encode();
      case 'hs256-public-pem':
        return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: key.kid }).sign(Buffer.from(key.publicPem));
      case 'hs256-public-jwk':
        return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: key.kid }).sign(Buffer.from(JSON.stringify(key.publicJwk)));
      case 'unpublished-key':
        return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: this.unpublished.kid, typ: 'JWT' }).sign(this.unpublished.privateKey);
      case 'kid-of-published-key':
        return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: this.current('RS256').kid, typ: 'JWT' }).sign(this.unpublished.privateKey);
      case undefined:
        return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
    }
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private current(alg: KeyAlgorithm): SigningKey {
    const kid = [...this.published].reverse().find((k) => this.keys.get(k)?.alg === alg);
    return this.keys.get(kid!)!;
  }

  private discoveryDocument(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      authorization_endpoint: `${this.issuer}/authorize`,
      token_endpoint: `${this.issuer}/token`,
      jwks_uri: `${this.issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['openid', 'profile', 'email', 'groups'],
      authorization_response_iss_parameter_supported: true,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const prefix = this.options.path ?? '';
    const route = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : '';
    const endpoint = ({ '/.well-known/openid-configuration': 'discovery', '/jwks': 'jwks', '/authorize': 'authorize', '/token': 'token' } as const)[route];
    if (endpoint === undefined) return json(res, 404, { error: 'not_found' });
    this.requests[endpoint] += 1;
    if (this.unavailable.has(endpoint)) return json(res, 503, { error: 'temporarily_unavailable' });
    if (endpoint === 'discovery') return json(res, 200, this.discoveryDocument());
    if (endpoint === 'jwks') return json(res, 200, { keys: this.published.map((kid) => this.keys.get(kid)!.publicJwk) });
    if (endpoint === 'authorize') return this.authorize(url, res);
    if (req.method !== 'POST') return json(res, 405, { error: 'invalid_request' });
    return this.token(req, await bodyOf(req), res);
  }

  private authorize(url: URL, res: ServerResponse): void {
    const p = url.searchParams;
    const redirectUri = p.get('redirect_uri') ?? '';
    // Errors about the client or redirect URI are shown, never redirected (OAuth 2.0 §4.1.2.1).
    if (p.get('client_id') !== this.clientId) return json(res, 400, { error: 'invalid_client' });
    if (this.options.redirectUris && !this.options.redirectUris.includes(redirectUri)) return json(res, 400, { error: 'invalid_redirect_uri' });
    if (!URL.canParse(redirectUri)) return json(res, 400, { error: 'invalid_redirect_uri' });
    const back = new URL(redirectUri);
    const state = p.get('state');
    if (state !== null) back.searchParams.set('state', state);
    back.searchParams.set('iss', this.issuer);
    const scopes = (p.get('scope') ?? '').split(' ');
    const challenge = p.get('code_challenge');
    if (p.get('response_type') !== 'code' || !scopes.includes('openid') || !challenge || p.get('code_challenge_method') !== 'S256') {
      back.searchParams.set('error', 'invalid_request');
    } else if (this.consent === 'deny') {
      back.searchParams.set('error', 'access_denied');
    } else {
      const code = base64url(randomBytes(24));
      this.grants.set(code, { redirectUri, challenge, nonce: p.get('nonce') ?? undefined, expiresAt: Date.now() + 60_000, used: false });
      back.searchParams.set('code', code);
    }
    res.writeHead(302, { location: back.href }).end();
  }

  private clientAuthenticated(req: IncomingMessage, form: URLSearchParams): boolean {
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Basic ')) {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
      const [id = '', secret = ''] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      const decode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
      return decode(id) === this.clientId && sameText(decode(secret), this.clientSecret);
    }
    return form.get('client_id') === this.clientId && sameText(form.get('client_secret') ?? '', this.clientSecret);
  }

  private async token(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(body);
    if (!this.clientAuthenticated(req, form)) return json(res, 401, { error: 'invalid_client' });
    if (form.get('grant_type') !== 'authorization_code') return json(res, 400, { error: 'unsupported_grant_type' });
    const grant = this.grants.get(form.get('code') ?? '');
    if (!grant || grant.used || grant.expiresAt < Date.now()) return json(res, 400, { error: 'invalid_grant' });
    grant.used = true;
    if (form.get('redirect_uri') !== grant.redirectUri) return json(res, 400, { error: 'invalid_grant' });
    const verifier = form.get('code_verifier') ?? '';
    if (!sameText(base64url(createHash('sha256').update(verifier).digest()), grant.challenge)) return json(res, 400, { error: 'invalid_grant' });
    const idToken = await this.sign({ nonce: grant.nonce, azp: this.clientId }, this.idTokenSigning);
    json(res, 200, { access_token: base64url(randomBytes(24)), token_type: 'Bearer', expires_in: 300, id_token: idToken });
  }
}

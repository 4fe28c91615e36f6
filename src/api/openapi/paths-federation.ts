// OpenAPI paths of federation: the dashboard's sign-in methods and OIDC redirects, temporary credentials in force,
// and the LDAP role map. The STS endpoint itself (POST /sts) speaks AWS STS's form and XML: see docs/federation.md.
import { COMMON_ERRORS, errorResponse, jsonBody, jsonResponse, pathParam, queryParam } from './components.js';

type Json = Record<string, unknown>;

const roleSession: Json = {
  type: 'object',
  properties: {
    accessKeyId: { type: 'string' },
    arn: { type: 'string' },
    role: { type: 'string' },
    sessionName: { type: 'string' },
    source: { type: 'string', description: 'ldap or oidc:<provider id>' },
    subject: { type: 'string', description: "The LDAP user's DN, or the token's issuer and subject" },
    sourceIp: { type: 'string' },
    hasSessionPolicy: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};
const roleMapEntries: Json = {
  type: 'object',
  properties: { entries: { type: 'array', items: { type: 'object', properties: { dn: { type: 'string' }, role: { type: 'string' }, source: { enum: ['config', 'api'] } } } } },
};

export const federationPaths: Json = {
  '/api/v1/sessions/methods': {
    get: {
      summary: 'How one can sign in to the dashboard: API key, local password, LDAP/AD, and each OIDC provider',
      tags: ['sessions'],
      security: [],
      responses: {
        '200': jsonResponse('The methods', {
          type: 'object',
          properties: {
            password: { type: 'boolean' },
            apiKey: { type: 'boolean' },
            ldap: { type: 'boolean' },
            oidc: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, displayName: { type: 'string' }, url: { type: 'string' } } } },
          },
        }),
      },
    },
  },
  '/api/v1/sessions/oidc/{provider}': {
    get: {
      summary: "Starts the dashboard's sign-in with an OIDC provider: redirects to it (authorization code flow with PKCE, state and nonce)",
      tags: ['sessions'],
      security: [],
      parameters: [pathParam('provider', 'The provider id'), queryParam('role', 'The role to assume, when the identity may assume several')],
      responses: { '302': { description: 'To the provider' }, '400': errorResponse('INVALID_PARAMETER'), '404': errorResponse('PROVIDER_NOT_FOUND'), '503': errorResponse('IDENTITY_PROVIDER_UNAVAILABLE') },
    },
  },
  '/api/v1/sessions/oidc/callback': {
    get: {
      summary: 'Where the provider sends the browser back: the code is exchanged server-side, the session cookie set',
      tags: ['sessions'],
      security: [],
      parameters: [queryParam('code', 'The authorization code'), queryParam('state', 'The state this server issued (it must match the browser\'s cookie)')],
      responses: {
        '302': { description: 'Signed in: to the dashboard, with the session cookie' },
        '400': errorResponse('INVALID_SIGN_IN'),
        '401': errorResponse('UNAUTHENTICATED'),
        '503': errorResponse('IDENTITY_PROVIDER_UNAVAILABLE'),
      },
    },
  },
  '/api/v1/role-sessions': {
    get: {
      summary: 'Temporary credentials that have not expired (never their secrets)',
      tags: ['federation'],
      parameters: [queryParam('limit', 'Items per page (1-1000, default 100)', { type: 'integer', minimum: 1, maximum: 1000 }), queryParam('cursor', 'nextCursor of the previous page')],
      responses: { '200': jsonResponse('A page', { type: 'object', properties: { roleSessions: { type: 'array', items: roleSession }, nextCursor: { type: ['string', 'null'] } } }), ...COMMON_ERRORS },
    },
  },
  '/api/v1/role-sessions/{id}': {
    delete: {
      summary: 'Revokes temporary credentials at once; dashboard sessions opened with them end too',
      tags: ['federation'],
      parameters: [pathParam('id', 'The access key ID (ASIA…)')],
      responses: { '204': { description: 'Revoked' }, '404': errorResponse('ROLE_SESSION_NOT_FOUND'), ...COMMON_ERRORS },
    },
  },
  '/api/v1/federation/ldap/role-map': {
    get: {
      summary: "Which LDAP/AD user and group DNs map to which roles (the configuration's entries and the API's)",
      tags: ['federation'],
      responses: { '200': jsonResponse('The entries', roleMapEntries), ...COMMON_ERRORS },
    },
    put: {
      summary: "Replaces the API's entries of the role map (the configuration's stay)",
      tags: ['federation'],
      requestBody: jsonBody({ type: 'object', required: ['map'], properties: { map: { type: 'object', additionalProperties: { type: 'string' }, description: 'DN → role name' } } }),
      responses: { '200': jsonResponse('The entries', roleMapEntries), '400': errorResponse('INVALID_ROLE_MAP'), ...COMMON_ERRORS },
    },
  },
};

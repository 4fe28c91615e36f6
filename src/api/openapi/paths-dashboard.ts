// OpenAPI paths the dashboard added: cookie sessions and Yagura-side archiving.
import { COMMON_ERRORS, errorResponse, jsonBody, jsonResponse, pathParam } from './components.js';

type Json = Record<string, unknown>;

const keyParams = [
  pathParam('accountId', 'AWS account ID'),
  pathParam('region', 'AWS region'),
  pathParam('id', 'GuardDuty finding ID'),
];

function archiveAction(archived: boolean): Json {
  return {
    post: {
      summary: archived ? 'Archive a finding in Yagura (who and when are recorded)' : 'Unarchive a finding in Yagura',
      description: 'A newer GuardDuty version later replaces this state with its own service.archived. '
        + 'With a session cookie, the request needs the header X-Yagura-Request: 1 (CSRF).',
      tags: ['findings'],
      parameters: keyParams,
      responses: {
        '200': jsonResponse('The finding with its new archived state', { $ref: '#/components/schemas/PresentedFinding' }),
        ...COMMON_ERRORS,
        '403': errorResponse('CSRF_REJECTED'),
        '404': errorResponse('FINDING_NOT_FOUND'),
      },
    },
  };
}

export const dashboardPaths: Json = {
  '/api/v1/sessions': {
    post: {
      summary: 'Log in with an API key, a password or LDAP/AD: sets the HttpOnly, SameSite=Strict session cookie yagura_session',
      description: 'Needs the header X-Yagura-Request: 1; an Origin header, when sent, must be this server.',
      tags: ['sessions'],
      security: [],
      requestBody: jsonBody({
        oneOf: [
          { type: 'object', required: ['apiKey'], properties: { apiKey: { type: 'string' } }, additionalProperties: false },
          { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } }, additionalProperties: false },
          {
            type: 'object',
            description: 'LDAP/Active Directory: the session carries temporary credentials of the role the directory role map gives',
            required: ['ldapUsername', 'ldapPassword'],
            properties: { ldapUsername: { type: 'string' }, ldapPassword: { type: 'string' }, role: { type: 'string', description: 'Needed when the user maps to several roles' } },
            additionalProperties: false,
          },
        ],
      }),
      responses: {
        '201': jsonResponse('Logged in', {
          type: 'object',
          properties: { name: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' }, idleSeconds: { type: 'integer' } },
        }),
        '400': errorResponse('INVALID_PARAMETER'),
        '401': errorResponse('UNAUTHENTICATED'),
        '403': errorResponse('CSRF_REJECTED'),
        '429': errorResponse('RATE_LIMITED (per source address) or SIGN_IN_THROTTLED (failed sign-ins of this user name)'),
        '503': errorResponse('IDENTITY_PROVIDER_UNAVAILABLE: the directory cannot be reached'),
      },
    },
  },
  '/api/v1/sessions/current': {
    get: {
      summary: 'Who is logged in, by what (session or API key), and which dashboard actions it may use',
      tags: ['sessions'],
      responses: {
        '200': jsonResponse('The caller', {
          type: 'object',
          properties: {
            name: { type: 'string' },
            via: { type: 'string', enum: ['session', 'apiKey'] },
            principal: { type: 'object', properties: { arn: { type: 'string' }, kind: { type: 'string', enum: ['user', 'role'] }, name: { type: 'string' } }, required: ['arn', 'kind', 'name'] },
            expiresAt: { type: 'string', format: 'date-time' },
            permissions: {
              type: 'object',
              description: 'For each action the dashboard menus need (yagura:ListUsers, …, the finding reads): whether the caller may use it. A convenience, not an authorization.',
              additionalProperties: { type: 'boolean' },
            },
          },
          required: ['name', 'via', 'permissions'],
        }),
        ...COMMON_ERRORS,
      },
    },
    delete: {
      summary: 'Log out: ends the session and clears the cookie',
      tags: ['sessions'],
      responses: { '204': { description: 'Logged out' }, ...COMMON_ERRORS, '400': errorResponse('NO_SESSION'), '403': errorResponse('CSRF_REJECTED') },
    },
  },
  '/api/v1/findings/{accountId}/{region}/{id}/archive': archiveAction(true),
  '/api/v1/findings/{accountId}/{region}/{id}/unarchive': archiveAction(false),
};

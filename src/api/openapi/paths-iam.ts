// OpenAPI paths of the administration API: users, groups, roles, managed policies and API keys.
import { COMMON_ERRORS, errorResponse, jsonBody, jsonResponse, pathParam, queryParam } from './components.js';

type Json = Record<string, unknown>;

const name: Json = { type: 'string', pattern: '^[A-Za-z0-9+=,.@_-]{1,64}$' };
const names: Json = { type: 'array', items: name, maxItems: 100 };
const tags: Json = { type: 'object', additionalProperties: { type: 'string', maxLength: 256 }, maxProperties: 50 };
const created = (): Json => jsonResponse('Created', { type: 'object', properties: { name: { type: 'string' }, arn: { type: 'string' } } });
const nameParam = pathParam('name', 'Name (IAM characters, 1 to 64)');
const page = [queryParam('limit', 'Items per page (1-1000, default 100)', { type: 'integer', minimum: 1, maximum: 1000 }), queryParam('cursor', 'nextCursor of the previous page')];
const trustPolicy: Json = {
  type: ['object', 'null'],
  description: 'Who may assume the role by federation: an IAM trust policy with Principal {"Federated": "arn:yagura:iam:::oidc-provider/HOST/PATH"} and Action sts:AssumeRoleWithWebIdentity; see docs/federation.md',
};
const policyDocument: Json = { type: 'object', description: 'An IAM JSON identity policy (Version, Statement); see docs/authorization.md' };

function resource(tag: string, plural: string, listKey: string, notFound: string, item: Json, createBody: Json, putBody: Json, extraErrors: Json = {}): Record<string, Json> {
  const list = { type: 'object', properties: { [listKey]: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } } };
  return {
    collection: {
      post: { summary: `Create a ${tag}`, tags: [tag], requestBody: jsonBody(createBody), responses: { '201': created(), '409': errorResponse('ALREADY_EXISTS'), ...COMMON_ERRORS } },
      get: { summary: `List ${plural}, by name`, tags: [tag], parameters: page, responses: { '200': jsonResponse('A page', list), ...COMMON_ERRORS } },
    },
    item: {
      get: { summary: `Read a ${tag}`, tags: [tag], parameters: [nameParam], responses: { '200': jsonResponse('Found', item), '404': errorResponse(notFound), ...COMMON_ERRORS } },
      put: { summary: `Replace a ${tag}`, tags: [tag], parameters: [nameParam], requestBody: jsonBody(putBody), responses: { '200': jsonResponse('Replaced', item), '404': errorResponse(notFound), ...extraErrors, ...COMMON_ERRORS } },
      delete: { summary: `Delete a ${tag}`, tags: [tag], parameters: [nameParam], responses: { '204': { description: 'Deleted' }, '404': errorResponse(notFound), ...extraErrors, ...COMMON_ERRORS } },
    },
  };
}

const obj = (properties: Json, required: string[] = []): Json => ({ type: 'object', additionalProperties: false, required, properties });

const policies = resource(
  'policy',
  'managed policies',
  'policies',
  'POLICY_NOT_FOUND',
  obj({ name, arn: { type: 'string' }, document: policyDocument, builtIn: { type: 'boolean' }, createdAt: { type: 'string' }, updatedAt: { type: 'string' } }),
  obj({ name, document: policyDocument }, ['name', 'document']),
  obj({ document: policyDocument }, ['document']),
  { '409': errorResponse('BUILT_IN (the AdministratorAccess policy) or POLICY_IN_USE (still attached)') },
);
const roles = resource(
  'role',
  'roles',
  'roles',
  'ROLE_NOT_FOUND',
  obj({ name, arn: { type: 'string' }, description: { type: 'string' }, tags, policies: names, trustPolicy: trustPolicy, builtIn: { type: 'boolean' }, createdAt: { type: 'string' } }),
  obj({ name, policies: names, description: { type: 'string', maxLength: 1000 }, tags, trustPolicy }, ['name']),
  obj({ policies: names, description: { type: 'string', maxLength: 1000 }, tags, trustPolicy }),
  { '409': errorResponse('BUILT_IN: the Administrator role') },
);
const groups = resource(
  'group',
  'groups',
  'groups',
  'GROUP_NOT_FOUND',
  obj({ name, arn: { type: 'string' }, policies: names, members: names, createdAt: { type: 'string' } }),
  obj({ name, policies: names }, ['name']),
  obj({ policies: names }),
);
const password: Json = { type: ['string', 'null'], minLength: 12, description: 'At least 12 characters; null removes it; left out, it is kept. Never returned.' };
const users = resource(
  'user',
  'users',
  'users',
  'USER_NOT_FOUND',
  obj({ name, arn: { type: 'string' }, groups: names, policies: names, tags, hasPassword: { type: 'boolean' }, createdAt: { type: 'string' } }),
  obj({ name, groups: names, policies: names, tags, password }, ['name']),
  obj({ groups: names, policies: names, tags, password }),
);

const keyItem = obj({
  id: { type: 'string' },
  prefix: { type: 'string', examples: ['yk_AbCdEfGh'] },
  name: { type: 'string' },
  owner: obj({ kind: { enum: ['user', 'role'] }, name, arn: { type: 'string' } }),
  createdAt: { type: 'string' },
  lastUsedAt: { type: ['string', 'null'] },
  expiresAt: { type: ['string', 'null'] },
  revoked: { type: 'boolean' },
  revokedAt: { type: ['string', 'null'] },
});

export const iamPaths: Json = {
  '/api/v1/policies': policies.collection,
  '/api/v1/policies/{name}': policies.item,
  '/api/v1/roles': roles.collection,
  '/api/v1/roles/{name}': roles.item,
  '/api/v1/groups': groups.collection,
  '/api/v1/groups/{name}': groups.item,
  '/api/v1/users': users.collection,
  '/api/v1/users/{name}': users.item,
  '/api/v1/keys': {
    post: {
      summary: 'Create an API key for a role or a user; the only answer that shows the key',
      tags: ['key'],
      requestBody: jsonBody(obj({ name: { type: 'string', maxLength: 128 }, role: name, user: name, expiresAt: { type: 'string', format: 'date-time' } }, ['name'])),
      responses: {
        '201': jsonResponse(
          'Created: the only time the key and its SigV4 secret are shown',
          obj({
            id: { type: 'string' },
            key: { type: 'string', examples: ['yk_AbCdEfGh_…'] },
            prefix: { type: 'string' },
            accessKeyId: { type: 'string', description: 'SigV4 access key ID (AKIA…) of the same key' },
            secretAccessKey: { type: 'string', description: 'SigV4 secret access key' },
          }),
        ),
        '400': errorResponse('UNKNOWN_OWNER, INVALID_EXPIRY or INVALID_PARAMETER'),
        ...COMMON_ERRORS,
      },
    },
    get: { summary: 'List API keys (never their secrets), oldest first', tags: ['key'], parameters: page, responses: { '200': jsonResponse('A page', { type: 'object', properties: { keys: { type: 'array', items: keyItem }, nextCursor: { type: ['string', 'null'] } } }), ...COMMON_ERRORS } },
  },
  '/api/v1/keys/{id}': {
    delete: {
      summary: 'Revoke an API key at once',
      tags: ['key'],
      parameters: [pathParam('id', 'Key id')],
      responses: { '204': { description: 'Revoked' }, '404': errorResponse('KEY_NOT_FOUND'), '409': errorResponse('ALREADY_REVOKED'), ...COMMON_ERRORS },
    },
  },
};

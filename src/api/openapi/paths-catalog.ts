// OpenAPI paths of the account catalog: groups, accounts, the catalog's resource policy.
import { COMMON_ERRORS, errorResponse, jsonBody, jsonResponse, pathParam, queryParam } from './components.js';

type Json = Record<string, unknown>;

const tags: Json = { type: 'object', additionalProperties: { type: 'string', maxLength: 256 }, maxProperties: 50, description: 'Up to 50 tags; keys 1-128, values up to 256 characters' };
const groupName: Json = { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$' };
const accountId: Json = { type: 'string', pattern: '^\\d{12}$' };
const obj = (properties: Json, required: string[] = []): Json => ({ type: 'object', additionalProperties: false, required, properties });
const group = obj({ name: groupName, arn: { type: 'string', examples: ['arn:yagura:catalog:::group/payments'] }, tags, builtIn: { type: 'boolean' }, createdAt: { type: 'string' }, updatedAt: { type: 'string' } });
const account = obj({
  accountId,
  arn: { type: 'string', examples: ['arn:yagura:catalog:::account/payments/111122223333'] },
  group: groupName,
  name: { type: ['string', 'null'] },
  tags,
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
});
const policy = obj({ arn: { type: 'string' }, document: { type: 'object' }, updatedAt: { type: 'string' } });
const page = [queryParam('limit', 'Items per page (1-1000, default 100)', { type: 'integer', minimum: 1, maximum: 1000 }), queryParam('cursor', 'nextCursor of the previous page')];
const groupParam = pathParam('name', 'Account group name (a-z 0-9 _ . -, 1 to 64)', groupName);
const accountParam = pathParam('accountId', 'AWS account ID (12 digits)', accountId);
const denied = { '403': errorResponse('ACCESS_DENIED: neither the caller\'s policies nor the catalog\'s resource policy allow it') };
const tag = ['catalog'];

export const catalogPaths: Record<string, Json> = {
  '/api/v1/catalog': {
    get: { summary: 'The catalog itself', tags: tag, responses: { '200': jsonResponse('The catalog', obj({ arn: { type: 'string' }, hasPolicy: { type: 'boolean' } })), ...denied, ...COMMON_ERRORS } },
  },
  '/api/v1/catalog/groups': {
    get: {
      summary: 'List the account groups the caller may read',
      description: 'Needs yagura:GetCatalogGroups on the catalog (else 403); lists the groups allowed yagura:GetCatalogGroup.',
      tags: tag,
      parameters: page,
      responses: { '200': jsonResponse('A page', obj({ groups: { type: 'array', items: group }, nextCursor: { type: ['string', 'null'] } })), ...denied, ...COMMON_ERRORS },
    },
  },
  '/api/v1/catalog/groups/{name}': {
    get: { summary: 'Read an account group', tags: tag, parameters: [groupParam], responses: { '200': jsonResponse('Found', group), '404': errorResponse('CATALOG_GROUP_NOT_FOUND (only to callers allowed the group)'), ...denied, ...COMMON_ERRORS } },
    put: { summary: 'Create an account group or replace its tags', tags: tag, parameters: [groupParam], requestBody: jsonBody(obj({ tags }), false), responses: { '200': jsonResponse('Saved', group), ...denied, ...COMMON_ERRORS } },
    delete: {
      summary: 'Delete an empty account group',
      tags: tag,
      parameters: [groupParam],
      responses: { '204': { description: 'Deleted' }, '404': errorResponse('CATALOG_GROUP_NOT_FOUND'), '409': errorResponse('CATALOG_GROUP_NOT_EMPTY or BUILT_IN (unassigned)'), ...denied, ...COMMON_ERRORS },
    },
  },
  '/api/v1/catalog/groups/{name}/accounts': {
    get: {
      summary: "List a group's accounts the caller may read",
      description: 'Needs yagura:GetCatalogAccounts on the catalog and on the group (else 403); lists the accounts allowed yagura:GetCatalogAccount.',
      tags: tag,
      parameters: [groupParam, ...page],
      responses: { '200': jsonResponse('A page', obj({ accounts: { type: 'array', items: account }, nextCursor: { type: ['string', 'null'] } })), '404': errorResponse('CATALOG_GROUP_NOT_FOUND'), ...denied, ...COMMON_ERRORS },
    },
  },
  '/api/v1/catalog/accounts/{accountId}': {
    get: { summary: 'Read an account of the catalog', tags: tag, parameters: [accountParam], responses: { '200': jsonResponse('Found', account), '404': errorResponse('CATALOG_ACCOUNT_NOT_FOUND'), ...denied, ...COMMON_ERRORS } },
    put: {
      summary: 'Put an account in a group, with a name and tags',
      description: 'Moving an account keeps its name and tags unless given; it needs yagura:PutCatalogAccount on the old and the new ARN.',
      tags: tag,
      parameters: [accountParam],
      requestBody: jsonBody(obj({ group: groupName, name: { type: ['string', 'null'], maxLength: 200 }, tags }, ['group'])),
      responses: { '200': jsonResponse('Saved', account), '400': errorResponse('UNKNOWN_CATALOG_GROUP, INVALID_ACCOUNT_ID, INVALID_TAGS, INVALID_NAME, INVALID_ACCOUNT_NAME'), ...denied, ...COMMON_ERRORS },
    },
  },
  '/api/v1/catalog/policy': {
    get: { summary: "The catalog's resource policy", tags: tag, responses: { '200': jsonResponse('The policy', policy), '404': errorResponse('CATALOG_POLICY_NOT_FOUND'), ...denied, ...COMMON_ERRORS } },
    put: {
      summary: "Replace the catalog's resource policy",
      description: 'An IAM resource policy naming Yagura users or roles as principals (never "*"), on catalog resources, at most 10,240 bytes.',
      tags: tag,
      requestBody: jsonBody(obj({ document: { type: 'object' } }, ['document'])),
      responses: { '200': jsonResponse('Saved', policy), '400': errorResponse('INVALID_POLICY naming the statement and element'), ...denied, ...COMMON_ERRORS },
    },
    delete: { summary: "Remove the catalog's resource policy", tags: tag, responses: { '204': { description: 'Removed' }, '404': errorResponse('CATALOG_POLICY_NOT_FOUND'), ...denied, ...COMMON_ERRORS } },
  },
};

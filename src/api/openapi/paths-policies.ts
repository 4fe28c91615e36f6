// OpenAPI paths of the policy language: the simulator.
import { COMMON_ERRORS, errorResponse, jsonBody, jsonResponse } from './components.js';

type Json = Record<string, unknown>;

const policyDocument: Json = {
  type: 'object',
  description: 'An IAM JSON policy document (Version, Statement); see docs/authorization.md',
  required: ['Statement'],
  properties: { Version: { enum: ['2012-10-17', '2008-10-17'] }, Id: { type: 'string' }, Statement: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] } },
};

const contextValue: Json = { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } }] };

export const policyPaths: Json = {
  '/api/v1/policies/simulate': {
    post: {
      summary: 'Decide one request against identity policies and a resource policy, as AWS evaluates them',
      description:
        'Works for any service\'s actions and ARNs. The principal\'s and the resource\'s accounts come from their ARNs: within one account either policy may allow; across accounts both must. An explicit deny wins.',
      tags: ['policy'],
      requestBody: jsonBody({
        type: 'object',
        required: ['principal', 'action', 'resource'],
        additionalProperties: false,
        properties: {
          principal: { type: 'string', examples: ['arn:aws:iam::111111111111:user/alice'] },
          identityPolicies: { type: 'array', maxItems: 20, items: { oneOf: [policyDocument, { type: 'string', description: 'The policy as JSON text' }] } },
          resourcePolicy: { oneOf: [policyDocument, { type: 'string', description: 'The policy as JSON text' }, { type: 'null' }] },
          action: { type: 'string', examples: ['glue:GetTable'] },
          resource: { type: 'string', description: 'An ARN, or "*"', examples: ['arn:aws:glue:us-east-1:111111111111:table/db1/t1'] },
          resourceOwner: { type: 'string', pattern: '^\\d{12}$', description: 'The resource\'s account when its ARN names none (S3 buckets); default: the principal\'s' },
          context: { type: 'object', additionalProperties: contextValue, description: 'Condition keys to values, e.g. {"aws:SourceIp": "203.0.113.7"}' },
        },
      }),
      responses: {
        '200': jsonResponse('The decision and the statements that made it', {
          type: 'object',
          required: ['decision', 'matchedStatements'],
          properties: {
            decision: { enum: ['allowed', 'explicit_deny', 'implicit_deny'] },
            matchedStatements: {
              type: 'array',
              items: {
                type: 'object',
                required: ['policy', 'sid'],
                properties: { policy: { type: 'string', examples: ['identity[0]', 'resource'] }, sid: { type: ['string', 'null'] }, statement: { type: 'integer', description: 'Index in the Statement list' } },
              },
            },
          },
        }),
        ...COMMON_ERRORS,
        '400': errorResponse('INVALID_POLICY: a policy is not valid (the message names the element, e.g. Statement[2].Condition); INVALID_PARAMETER: the request is malformed'),
      },
    },
  },
};

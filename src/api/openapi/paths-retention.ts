// OpenAPI paths of retention: the policy, the plan of the next pass, and legal holds.
import { z } from 'zod';
import { retentionPolicySchema } from '../../retention/retention-policy.js';
import { COMMON_ERRORS, errorResponse, jsonBody, jsonResponse, pathParam, queryParam } from './components.js';

type Json = Record<string, unknown>;

const policyInput = z.toJSONSchema(retentionPolicySchema, { io: 'input', unrepresentable: 'any' }) as Json;
delete policyInput.$schema;

const policy: Json = {
  type: 'object',
  required: ['source', 'default', 'rules'],
  properties: {
    source: { enum: ['configuration', 'api'], description: 'Where the policy in effect comes from: the configuration until one is put through the API' },
    default: policyInput.properties !== undefined ? (policyInput.properties as Json).default : { type: 'object' },
    rules: policyInput.properties !== undefined ? (policyInput.properties as Json).rules : { type: 'array' },
    updatedBy: { type: 'string', description: 'ARN of the principal that put it (api only)' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

const rulePlan: Json = {
  type: 'object',
  required: ['rule', 'days', 'remove', 'held', 'oldestKept'],
  properties: {
    rule: { type: 'string', description: 'The rule name, or default' },
    days: { type: ['integer', 'null'], description: 'null: kept forever' },
    remove: { type: 'integer', description: 'Findings (store) or archived versions (archive) the next pass would remove' },
    held: { type: 'integer', description: 'Past their retention but kept by a legal hold' },
    oldestKept: { type: ['string', 'null'], format: 'date-time', description: "Store: the oldest kept finding's updatedAt; archive: the oldest day of a kept line among the objects old enough to be read" },
  },
};

const hold: Json = {
  type: 'object',
  required: ['id', 'reason', 'createdBy', 'createdAt'],
  properties: {
    id: { type: 'string', examples: ['lh-0b6c1f9e-2f1e-4c3e-9a57-4d8f2c1e7a10'] },
    query: { type: 'string', description: 'KQL: the findings it keeps (absent for a hold by account)' },
    accountId: { type: 'string', description: 'The account whose findings it keeps (absent for a hold by query)' },
    reason: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    liftedBy: { type: 'string' },
    liftedAt: { type: 'string', format: 'date-time' },
  },
};

const notFound = errorResponse('LEGAL_HOLD_NOT_FOUND');

export const retentionPaths: Json = {
  '/api/v1/retention': {
    get: {
      summary: 'The retention policy in effect',
      description: 'Rules by severity band, catalog group, account tag or account, for the store and the archive, and the default. Needs yagura:GetRetentionPolicy.',
      tags: ['retention'],
      responses: { '200': jsonResponse('The policy', policy), ...COMMON_ERRORS },
    },
    put: {
      summary: 'Replace the retention policy',
      description: 'Replaces the configuration\'s rules and default until the next PUT. Rules are read top to bottom: for the store and for the archive apart, the first rule that matches and sets that scope\'s days decides; else the default; else forever. Needs yagura:PutRetentionPolicy.',
      tags: ['retention'],
      requestBody: jsonBody(policyInput),
      responses: { '200': jsonResponse('The policy now in effect', policy), ...COMMON_ERRORS, '400': errorResponse('INVALID_RETENTION_POLICY (the message names the field)') },
    },
  },
  '/api/v1/retention/plan': {
    get: {
      summary: 'What the next retention pass would remove, without removing anything',
      description: "Counts per rule over every account's findings, for the store and the archive, and the oldest each rule keeps. Needs yagura:GetRetentionPlan.",
      tags: ['retention'],
      responses: {
        '200': jsonResponse('The plan', {
          type: 'object',
          required: ['at', 'store', 'archive'],
          properties: { at: { type: 'string', format: 'date-time' }, store: { type: 'array', items: rulePlan }, archive: { type: 'array', items: rulePlan } },
        }),
        ...COMMON_ERRORS,
      },
    },
  },
  '/api/v1/retention/holds': {
    get: {
      summary: 'List legal holds, oldest first',
      description: 'Holds in force; with includeLifted=true lifted ones too. Needs yagura:ListLegalHolds on arn:yagura:retention:::legal-hold/*.',
      tags: ['retention'],
      parameters: [queryParam('includeLifted', 'true to list lifted holds too', { enum: ['true', 'false'] })],
      responses: { '200': jsonResponse('The holds', { type: 'object', required: ['holds'], properties: { holds: { type: 'array', items: hold } } }), ...COMMON_ERRORS },
    },
    post: {
      summary: 'Place a legal hold',
      description: 'On the findings a KQL query selects (`query`) or on an account (`accountId`), with a `reason`. Retention removes nothing a hold in force keeps. Recorded in the audit log. Needs yagura:CreateLegalHold.',
      tags: ['retention'],
      requestBody: jsonBody({
        type: 'object',
        required: ['reason'],
        properties: { query: { type: 'string' }, accountId: { type: 'string', pattern: '^\\d{12}$' }, reason: { type: 'string', minLength: 1, maxLength: 1000 } },
      }),
      responses: {
        '201': jsonResponse('The hold', hold),
        ...COMMON_ERRORS,
        '400': errorResponse('INVALID_LEGAL_HOLD'),
        '409': errorResponse('TOO_MANY_LEGAL_HOLDS'),
      },
    },
  },
  '/api/v1/retention/holds/{id}': {
    get: {
      summary: 'Read one legal hold',
      description: 'Needs yagura:ListLegalHolds on the hold.',
      tags: ['retention'],
      parameters: [pathParam('id', 'The hold id')],
      responses: { '200': jsonResponse('The hold', hold), ...COMMON_ERRORS, '404': notFound },
    },
  },
  '/api/v1/retention/holds/{id}/lift': {
    post: {
      summary: 'Lift a legal hold',
      description: 'The hold stays listed (includeLifted=true) with who lifted it and when; the findings it kept are removed by the next pass once their retention has passed. Lifting a lifted hold changes nothing. Recorded in the audit log. Needs yagura:LiftLegalHold.',
      tags: ['retention'],
      parameters: [pathParam('id', 'The hold id')],
      responses: { '200': jsonResponse('The hold, lifted', hold), ...COMMON_ERRORS, '404': notFound },
    },
  },
};

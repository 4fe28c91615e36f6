// Shared pieces of the OpenAPI document: error answers, parameters, and schemas generated from our zod schemas.
import { z } from 'zod';
import { destinationSpecSchema } from '../../alerts/destination.js';
import { ruleSpecSchema } from '../../alerts/rule.js';

type Json = Record<string, unknown>;

const ERROR = { $ref: '#/components/schemas/Error' };

export function errorResponse(description: string): Json {
  return { description, content: { 'application/json': { schema: ERROR } } };
}

export function jsonResponse(description: string, schema: Json = { type: 'object' }): Json {
  return { description, content: { 'application/json': { schema } } };
}

export function jsonBody(schema: Json, required = true): Json {
  return { required, content: { 'application/json': { schema } } };
}

export function queryParam(name: string, description: string, schema: Json = { type: 'string' }): Json {
  return { name, in: 'query', required: false, description, schema };
}

export function pathParam(name: string, description: string, schema: Json = { type: 'string' }): Json {
  return { name, in: 'path', required: true, description, schema };
}

/** The answers every authenticated route may give besides its own. */
export const COMMON_ERRORS: Json = {
  '400': errorResponse('Invalid request (code names the problem, e.g. INVALID_PARAMETER)'),
  '401': errorResponse('UNAUTHENTICATED: no or invalid API key'),
  '429': errorResponse('RATE_LIMITED: over a rate-based rule (Retry-After)'),
  '503': errorResponse('OVERLOADED: the server sheds load (Retry-After); QUERY_TIMEOUT: a search or aggregation ran past search.queryTimeoutSeconds'),
};

const presentedFinding = {
  type: 'object',
  required: ['finding', 'yagura'],
  properties: {
    finding: { type: 'object', description: 'The GuardDuty finding document, verbatim', additionalProperties: true },
    yagura: {
      type: 'object',
      properties: {
        accountId: { type: 'string' },
        region: { type: 'string' },
        id: { type: 'string' },
        band: { type: 'string', enum: ['Low', 'Medium', 'High', 'Critical'] },
        firstSeen: { type: 'string', format: 'date-time' },
        lastSeen: { type: 'string', format: 'date-time' },
        versions: { type: 'integer' },
        archived: { type: 'boolean' },
        timeOpenSeconds: { type: 'integer' },
      },
    },
  },
};

function fromZod(schema: z.ZodType): Json {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete json.$schema;
  return json;
}

export function componentSchemas(): Json {
  return {
    Error: {
      type: 'object',
      required: ['error'],
      properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
    },
    PresentedFinding: presentedFinding,
    DestinationSpec: fromZod(destinationSpecSchema),
    Destination: {
      type: 'object',
      description: 'A destination as answered: incoming-webhook URLs shortened to https://host/…/****, secrets and passwords never shown (secretSet, passwordSet)',
      additionalProperties: true,
      properties: { id: { type: 'string' }, name: { type: 'string' }, type: { type: 'string', enum: ['slack', 'teams', 'webhook', 'email'] } },
    },
    RuleSpec: fromZod(ruleSpecSchema),
    AlertRule: {
      allOf: [
        { $ref: '#/components/schemas/RuleSpec' },
        {
          type: 'object',
          properties: {
            id: { type: 'string' },
            owner: { type: 'string', description: 'ARN of the principal that created the rule; the rule fires only on findings it may read (yagura:GetFinding). Set at creation, never changed.' },
            status: {
              type: 'object',
              description: 'active, or suspended (firing on nothing) with the reason: the owner no longer exists or its policies cannot be enforced',
              properties: { state: { type: 'string', enum: ['active', 'suspended'] }, reason: { type: 'string' } },
              required: ['state'],
            },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
          },
        },
      ],
    },
    Delivery: {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        idempotencyKey: { type: 'string', description: 'Sent as Idempotency-Key; the same on every attempt' },
        rule: { type: 'string' },
        destination: { type: 'string' },
        kind: { type: 'string', enum: ['new', 'escalation', 'count', 'digest', 'test'] },
        finding: { type: ['string', 'null'], description: 'accountId/region/id' },
        status: { type: 'string', enum: ['pending', 'sent', 'dead'] },
        attempts: { type: 'integer' },
        nextAttemptAt: { type: ['string', 'null'], format: 'date-time' },
        arrivedAt: { type: 'string', format: 'date-time' },
        createdAt: { type: 'string', format: 'date-time' },
        sentAt: { type: ['string', 'null'], format: 'date-time' },
        latencyMs: { type: ['integer', 'null'], description: 'Finding stored → receiver 2xx' },
        lastError: { type: ['string', 'null'] },
        message: { type: 'object', additionalProperties: true },
      },
    },
    DryRunResult: {
      type: 'object',
      properties: {
        from: { type: 'string', format: 'date-time' },
        to: { type: 'string', format: 'date-time' },
        matched: { type: 'integer' },
        alerts: { type: 'array', items: { type: 'object', properties: { kind: { type: 'string' }, groupKey: { type: 'string' }, at: { type: 'string' }, finding: { type: 'object' } } } },
        truncated: { type: 'boolean' },
      },
    },
  };
}

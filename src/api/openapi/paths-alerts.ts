// OpenAPI paths of alerting: destinations, alert rules (with dry runs) and deliveries.
import { COMMON_ERRORS, errorResponse, jsonBody, jsonResponse, pathParam, queryParam } from './components.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const id = pathParam('id', 'Identifier');
const deliveryId = pathParam('id', 'Delivery number', { type: 'integer', minimum: 1 });

function crud(tag: string, plural: string, spec: string, item: string, notFound: string, listKey: string): Record<string, Json> {
  return {
    collection: {
      post: { summary: `Create a ${tag}`, tags: [tag], requestBody: jsonBody(ref(spec)), responses: { '201': jsonResponse('Created', ref(item)), ...COMMON_ERRORS } },
      get: {
        summary: `List ${plural}`,
        tags: [tag],
        responses: { '200': jsonResponse('All of them', { type: 'object', properties: { [listKey]: { type: 'array', items: ref(item) } } }), ...COMMON_ERRORS },
      },
    },
    item: {
      get: { summary: `Read a ${tag}`, tags: [tag], parameters: [id], responses: { '200': jsonResponse('Found', ref(item)), '404': errorResponse(notFound), ...COMMON_ERRORS } },
      put: { summary: `Replace a ${tag}`, tags: [tag], parameters: [id], requestBody: jsonBody(ref(spec)), responses: { '200': jsonResponse('Replaced', ref(item)), '404': errorResponse(notFound), ...COMMON_ERRORS } },
      delete: { summary: `Delete a ${tag}`, tags: [tag], parameters: [id], responses: { '204': { description: 'Deleted' }, '404': errorResponse(notFound), ...COMMON_ERRORS } },
    },
  };
}

const destinations = crud('destination', 'destinations', 'DestinationSpec', 'Destination', 'DESTINATION_NOT_FOUND', 'destinations');
const rules = crud('alert rule', 'alert rules', 'RuleSpec', 'AlertRule', 'RULE_NOT_FOUND', 'rules');
destinations.item!.put = {
  ...(destinations.item!.put as Json),
  description: 'Secret fields (Slack/Teams url, webhook secret, SMTP password) may be left out to keep the stored values.',
};
destinations.item!.delete = { ...(destinations.item!.delete as Json), responses: { '204': { description: 'Deleted' }, '404': errorResponse('DESTINATION_NOT_FOUND'), '409': errorResponse('DESTINATION_IN_USE'), ...COMMON_ERRORS } };

export const alertPaths: Json = {
  '/api/v1/destinations': destinations.collection,
  '/api/v1/destinations/{id}': destinations.item,
  '/api/v1/destinations/{id}/test': {
    post: {
      summary: 'Send a test message now (outside the outbox)',
      tags: ['destination'],
      parameters: [id],
      responses: {
        '200': jsonResponse('How it went', { type: 'object', properties: { ok: { type: 'boolean' }, latencyMs: { type: 'integer' }, error: { type: 'string' } } }),
        '404': errorResponse('DESTINATION_NOT_FOUND'),
        ...COMMON_ERRORS,
      },
    },
  },
  '/api/v1/alert-rules': rules.collection,
  '/api/v1/alert-rules/{id}': rules.item,
  '/api/v1/alert-rules/{id}/dry-run': {
    post: {
      summary: 'Which stored findings a stored rule would have alerted on in a time range',
      tags: ['alert rule'],
      parameters: [id, queryParam('from', 'Range start (default now-24h)'), queryParam('to', 'Range end (default now)')],
      responses: { '200': jsonResponse('Would-be alerts', ref('DryRunResult')), '404': errorResponse('RULE_NOT_FOUND'), ...COMMON_ERRORS },
    },
  },
  '/api/v1/alert-rules/dry-run': {
    post: {
      summary: 'Which stored findings a rule (not stored; routes optional) would have alerted on in a time range',
      tags: ['alert rule'],
      requestBody: jsonBody({ type: 'object', required: ['rule'], properties: { rule: ref('RuleSpec'), from: { type: 'string' }, to: { type: 'string' } } }),
      responses: { '200': jsonResponse('Would-be alerts', ref('DryRunResult')), ...COMMON_ERRORS },
    },
  },
  '/api/v1/deliveries': {
    post: {
      summary: 'Send one stored finding to one destination by hand (queued in the outbox like any alert)',
      tags: ['delivery'],
      requestBody: jsonBody({
        type: 'object',
        required: ['destination', 'finding'],
        properties: {
          destination: { type: 'string' },
          finding: { type: 'object', required: ['accountId', 'region', 'id'], properties: { accountId: { type: 'string' }, region: { type: 'string' }, id: { type: 'string' } } },
        },
      }),
      responses: { '202': jsonResponse('Queued', ref('Delivery')), '404': errorResponse('DESTINATION_NOT_FOUND or FINDING_NOT_FOUND'), ...COMMON_ERRORS },
    },
    get: {
      summary: 'The delivery log, newest first; status=dead lists dead letters',
      tags: ['delivery'],
      parameters: [
        queryParam('status', 'pending, sent or dead', { type: 'string', enum: ['pending', 'sent', 'dead'] }),
        queryParam('rule', 'Only this rule'),
        queryParam('destination', 'Only this destination'),
        queryParam('size', 'Page size (1-1000, default 100)', { type: 'integer' }),
        queryParam('before', 'nextBefore of the previous page', { type: 'integer' }),
      ],
      responses: {
        '200': jsonResponse('A page of deliveries', { type: 'object', properties: { deliveries: { type: 'array', items: ref('Delivery') }, nextBefore: { type: ['integer', 'null'] } } }),
        ...COMMON_ERRORS,
      },
    },
  },
  '/api/v1/deliveries/{id}': {
    get: { summary: 'Read a delivery', tags: ['delivery'], parameters: [deliveryId], responses: { '200': jsonResponse('Found', ref('Delivery')), '404': errorResponse('DELIVERY_NOT_FOUND'), ...COMMON_ERRORS } },
    delete: {
      summary: 'Remove a sent delivery or a dead letter from the log',
      tags: ['delivery'],
      parameters: [deliveryId],
      responses: { '204': { description: 'Removed' }, '404': errorResponse('DELIVERY_NOT_FOUND'), '409': errorResponse('DELIVERY_PENDING'), ...COMMON_ERRORS },
    },
  },
  '/api/v1/deliveries/{id}/retry': {
    post: {
      summary: 'Put a dead letter back in the queue and send it now',
      tags: ['delivery'],
      parameters: [deliveryId],
      responses: { '202': jsonResponse('Queued', ref('Delivery')), '404': errorResponse('DELIVERY_NOT_FOUND'), '409': errorResponse('NOT_DEAD_LETTER'), ...COMMON_ERRORS },
    },
  },
};

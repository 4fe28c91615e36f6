// /api/v1/deliveries: the alert delivery log and dead letters (list, read, retry, discard).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AlertService } from '../../alerts/alert-service.js';
import type { Delivery } from '../../alerts/delivery-log.js';
import { ApiError } from '../api-error.js';
import { readScope } from '../read-scope.js';
import { parseParams } from '../validate.js';

export interface DeliveriesRouteOptions {
  readonly alerts: AlertService;
}

const idParams = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }).strict();
const listParams = z
  .object({
    status: z.enum(['pending', 'sent', 'dead']).optional(),
    rule: z.string().max(64).optional(),
    destination: z.string().max(64).optional(),
    size: z.coerce.number().int().min(1).max(1000).default(100),
    before: z.coerce.number().int().min(1).optional(),
  })
  .strict();

const createBody = z
  .object({
    destination: z.string().min(1).max(64),
    finding: z.object({ accountId: z.string().min(1).max(64), region: z.string().min(1).max(32), id: z.string().min(1).max(256) }).strict(),
  })
  .strict();

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export function presentDelivery(d: Delivery): Record<string, unknown> {
  return {
    id: d.id,
    idempotencyKey: d.idempotencyKey,
    rule: d.rule,
    destination: d.destination,
    kind: d.kind,
    finding: d.finding ?? null,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    arrivedAt: iso(d.arrivedAt),
    createdAt: iso(d.createdAt),
    sentAt: iso(d.sentAt),
    latencyMs: d.latencyMs ?? null,
    lastError: d.lastError ?? null,
    message: d.message,
  };
}

export async function deliveriesRoutes(app: FastifyInstance, options: DeliveriesRouteOptions): Promise<void> {
  const service = options.alerts;

  app.get('/api/v1/deliveries', async (request) => {
    const p = parseParams(listParams, request.query);
    const deliveries = await service.alerts.deliveries.listDeliveries({
      limit: p.size,
      ...(p.status && { status: p.status }),
      ...(p.rule && { rule: p.rule }),
      ...(p.destination && { destination: p.destination }),
      ...(p.before !== undefined && { before: p.before }),
      scope: readScope(request),
    });
    const last = deliveries[deliveries.length - 1];
    return { deliveries: deliveries.map(presentDelivery), nextBefore: deliveries.length === p.size && last ? last.id : null };
  });

  // Sends one stored finding to one destination by hand, through the outbox like any alert.
  app.post('/api/v1/deliveries', async (request, reply) => {
    const body = parseParams(createBody, request.body);
    const destination = await service.alerts.destinations.getDestination(body.destination);
    if (destination === undefined) throw new ApiError(404, 'DESTINATION_NOT_FOUND', `there is no destination "${body.destination}"`);
    const id = await service.sendFinding(destination, body.finding, readScope(request));
    if (id === undefined) throw new ApiError(404, 'FINDING_NOT_FOUND', `no finding ${body.finding.id} in account ${body.finding.accountId}, region ${body.finding.region}`);
    reply.code(202);
    return presentDelivery((await service.alerts.deliveries.getDelivery(id))!);
  });

  app.get('/api/v1/deliveries/:id', async (request) => {
    const { id } = parseParams(idParams, request.params);
    // A delivery about a finding outside the caller's scope is not found, so that its existence does not leak.
    const d = await service.alerts.deliveries.getDelivery(id, readScope(request));
    if (d === undefined) throw new ApiError(404, 'DELIVERY_NOT_FOUND', `there is no delivery ${id}`);
    return presentDelivery(d);
  });

  app.post('/api/v1/deliveries/:id/retry', async (request, reply) => {
    const { id } = parseParams(idParams, request.params);
    // A delivery about a finding outside the caller's scope is not found, so that its existence does not leak.
    const d = await service.alerts.deliveries.getDelivery(id, readScope(request));
    if (d === undefined) throw new ApiError(404, 'DELIVERY_NOT_FOUND', `there is no delivery ${id}`);
    if (!(await service.retryDelivery(id))) throw new ApiError(409, 'NOT_DEAD_LETTER', `delivery ${id} is ${d.status}; only a dead letter can be retried`);
    reply.code(202);
    return presentDelivery((await service.alerts.deliveries.getDelivery(id))!);
  });

  app.delete('/api/v1/deliveries/:id', async (request, reply) => {
    const { id } = parseParams(idParams, request.params);
    // A delivery about a finding outside the caller's scope is not found, so that its existence does not leak.
    const d = await service.alerts.deliveries.getDelivery(id, readScope(request));
    if (d === undefined) throw new ApiError(404, 'DELIVERY_NOT_FOUND', `there is no delivery ${id}`);
    if (d.status === 'pending') throw new ApiError(409, 'DELIVERY_PENDING', `delivery ${id} is still pending; only sent deliveries and dead letters can be removed`);
    await service.alerts.deliveries.deleteDelivery(id);
    reply.code(204);
  });
}

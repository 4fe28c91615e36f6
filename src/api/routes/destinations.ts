// /api/v1/destinations: alert destinations (create, list, read, replace, delete, send a test message).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AlertService } from '../../alerts/alert-service.js';
import { destinationSpecSchema, presentDestination, type Destination } from '../../alerts/destination.js';
import { ApiError } from '../api-error.js';
import { parseParams } from '../validate.js';

export interface DestinationsRouteOptions {
  readonly alerts: AlertService;
}

const idParams = z.object({ id: z.string().min(1).max(64) }).strict();

export async function destinationsRoutes(app: FastifyInstance, options: DestinationsRouteOptions): Promise<void> {
  const service = options.alerts;
  const found = async (id: string): Promise<Destination> => {
    const d = await service.alerts.destinations.getDestination(id);
    if (d === undefined) throw new ApiError(404, 'DESTINATION_NOT_FOUND', `there is no destination "${id.slice(0, 64)}"`);
    return d;
  };

  app.post('/api/v1/destinations', async (request, reply) => {
    const spec = parseParams(destinationSpecSchema, request.body);
    const { destination, warnings } = await service.createDestination(spec);
    reply.code(201);
    return { ...presentDestination(destination), ...(warnings.length > 0 && { warnings }) };
  });

  app.get('/api/v1/destinations', async () => ({ destinations: (await service.alerts.destinations.listDestinations()).map(presentDestination) }));

  app.get('/api/v1/destinations/:id', async (request) => {
    const { id } = parseParams(idParams, request.params);
    return presentDestination(await found(id));
  });

  app.put('/api/v1/destinations/:id', async (request) => {
    const { id } = parseParams(idParams, request.params);
    await found(id);
    const body = request.body !== null && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
    const spec = parseParams(destinationSpecSchema, await service.mergeSecrets(id, body));
    const replaced = await service.replaceDestination(id, spec);
    if (replaced === undefined) throw new ApiError(404, 'DESTINATION_NOT_FOUND', `there is no destination "${id}"`);
    return { ...presentDestination(replaced.destination), ...(replaced.warnings.length > 0 && { warnings: replaced.warnings }) };
  });

  app.delete('/api/v1/destinations/:id', async (request, reply) => {
    const { id } = parseParams(idParams, request.params);
    if (!(await service.deleteDestination(id))) throw new ApiError(404, 'DESTINATION_NOT_FOUND', `there is no destination "${id}"`);
    reply.code(204);
  });

  app.post('/api/v1/destinations/:id/test', async (request) => {
    const { id } = parseParams(idParams, request.params);
    return service.testDestination(await found(id));
  });
}

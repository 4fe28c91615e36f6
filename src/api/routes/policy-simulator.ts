// POST /api/v1/policies/simulate: AWS-style policy simulation of one request against given policies.
import type { FastifyInstance } from 'fastify';
import { simulate, simulationRequestSchema } from '../../auth/policy/simulate.js';
import { parseParams } from '../validate.js';

export async function policySimulatorRoutes(app: FastifyInstance, options: { now?: () => number }): Promise<void> {
  const now = options.now ?? Date.now;
  app.post('/api/v1/policies/simulate', async (request) => {
    const params = parseParams(simulationRequestSchema, request.body ?? {});
    // A bad policy throws PolicyError (INVALID_POLICY, 400) naming the element.
    return simulate(params, now());
  });
}

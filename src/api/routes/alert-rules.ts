// /api/v1/alert-rules: alert rules (create, list, read, replace, delete) and dry runs over stored findings.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AlertService } from '../../alerts/alert-service.js';
import { ruleSpecSchema, type AlertRule } from '../../alerts/rule.js';
import { resolveTimeRange } from '../../query/time-range.js';
import { ACTIONS, type ActionDefinition } from '../../auth/actions.js';
import { ApiError } from '../api-error.js';
import { allowsOwned, requireOwned, resourceArn } from '../authorize.js';
import { principalArn } from '../request-context.js';
import { readScope } from '../read-scope.js';
import { parseParams } from '../validate.js';

export interface AlertRulesRouteOptions {
  readonly alerts: AlertService;
  readonly now?: () => number;
}

const idParams = z.object({ id: z.string().min(1).max(64) }).strict();
const rangeSchema = z.object({ from: z.string().max(64).default('now-24h'), to: z.string().max(64).default('now') }).strict();
const dryRunSchema = z.object({ rule: ruleSpecSchema.partial({ routes: true }), from: z.string().max(64).default('now-24h'), to: z.string().max(64).default('now') }).strict();

export function presentRule(rule: AlertRule): Record<string, unknown> {
  return { ...rule, status: rule.status ?? { state: 'active' }, createdAt: new Date(rule.createdAt).toISOString(), updatedAt: new Date(rule.updatedAt).toISOString() };
}


export async function alertRulesRoutes(app: FastifyInstance, options: AlertRulesRouteOptions): Promise<void> {
  const service = options.alerts;
  const now = options.now ?? Date.now;
  const notFound = (id: string) => () => new ApiError(404, 'RULE_NOT_FOUND', `there is no alert rule "${id.slice(0, 64)}"`);
  /** The rule, if the caller may `action` it; refused alike whether it is missing or not the caller's to see. */
  const found = async (request: FastifyRequest, id: string, action: ActionDefinition): Promise<AlertRule> => {
    const rule = await service.alerts.rules.getRule(id);
    requireOwned(request, action, resourceArn('alert-rule', { id }), rule?.owner, now(), notFound(id));
    return rule!;
  };
  const range = (from: string, to: string): { from: number; to: number } => {
    const t = now();
    const r = resolveTimeRange({ from, to }, t);
    return { from: r.from ?? 0, to: r.to ?? t };
  };

  app.post('/api/v1/alert-rules', async (request, reply) => {
    const spec = parseParams(ruleSpecSchema, request.body);
    const owner = request.principal && principalArn(request.principal);
    if (owner === undefined) throw new ApiError(401, 'UNAUTHENTICATED', 'an alert rule needs an authenticated owner');
    reply.code(201);
    return presentRule(await service.createRule(spec, owner));
  });

  // Only the rules the caller may read (GetAlertRule on each, with its owner), as Glue's GetTables lists tables.
  app.get('/api/v1/alert-rules', async (request) => {
    const t = now();
    const rules = await service.alerts.rules.listRules();
    return { rules: rules.filter((rule) => allowsOwned(request, ACTIONS.GetAlertRule, resourceArn('alert-rule', { id: rule.id }), rule.owner, t)).map(presentRule) };
  });

  app.get('/api/v1/alert-rules/:id', async (request) => {
    const { id } = parseParams(idParams, request.params);
    return presentRule(await found(request, id, ACTIONS.GetAlertRule));
  });

  app.put('/api/v1/alert-rules/:id', async (request) => {
    const { id } = parseParams(idParams, request.params);
    await found(request, id, ACTIONS.PutAlertRule);
    const replaced = await service.replaceRule(id, parseParams(ruleSpecSchema, request.body));
    if (replaced === undefined) throw new ApiError(404, 'RULE_NOT_FOUND', `there is no alert rule "${id}"`);
    return presentRule(replaced);
  });

  app.delete('/api/v1/alert-rules/:id', async (request, reply) => {
    const { id } = parseParams(idParams, request.params);
    await found(request, id, ACTIONS.DeleteAlertRule);
    if (!(await service.deleteRule(id))) throw notFound(id)();
    reply.code(204);
  });

  // A stored rule over a range: POST /api/v1/alert-rules/{id}/dry-run?from=now-7d&to=now
  app.post('/api/v1/alert-rules/:id/dry-run', async (request) => {
    const { id } = parseParams(idParams, request.params);
    const { from, to } = parseParams(rangeSchema, request.query ?? {});
    const rule = await found(request, id, ACTIONS.DryRunAlertRule);
    const r = range(from, to);
    return service.dryRun(rule, r.from, r.to, readScope(request));
  });

  // A rule not stored yet: {"rule": {...}, "from": "now-7d", "to": "now"}
  app.post('/api/v1/alert-rules/dry-run', async (request) => {
    const body = parseParams(dryRunSchema, request.body);
    const r = range(body.from, body.to);
    return service.dryRun({ ...body.rule, routes: body.rule.routes ?? [] }, r.from, r.to, readScope(request));
  });
}

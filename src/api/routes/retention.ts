// /api/v1/retention: the retention policy in effect, what the next pass would remove, and legal holds.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Retention, PolicyInEffect } from '../../retention/retention.js';
import type { RetentionPlanner, RulePlan } from '../../retention/retention-plan.js';
import type { LegalHold } from '../../retention/retention-store.js';
import { parseParams } from '../validate.js';

export interface RetentionRoutesOptions {
  readonly retention: Retention;
  readonly planner: RetentionPlanner;
  readonly now: () => number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function presentPolicy(p: PolicyInEffect): Record<string, unknown> {
  return {
    source: p.source,
    default: p.policy.default,
    rules: p.policy.rules,
    ...(p.updatedBy !== undefined && { updatedBy: p.updatedBy }),
    ...(p.updatedAt !== undefined && { updatedAt: iso(p.updatedAt) }),
  };
}

export function presentHold(h: LegalHold): Record<string, unknown> {
  return {
    id: h.id,
    ...(h.query !== undefined ? { query: h.query } : { accountId: h.accountId }),
    reason: h.reason,
    createdBy: h.createdBy,
    createdAt: iso(h.createdAt),
    ...(h.liftedAt !== undefined && { liftedBy: h.liftedBy, liftedAt: iso(h.liftedAt) }),
  };
}

function presentRule(r: RulePlan): Record<string, unknown> {
  return { rule: r.rule, days: r.days ?? null, remove: r.remove, held: r.held, oldestKept: r.oldestKept === undefined ? null : iso(r.oldestKept) };
}

const holdArn = (id: string): string => `arn:yagura:retention:::legal-hold/${id}`;
const listQuery = z.object({ includeLifted: z.enum(['true', 'false']).optional() }).strict();
const holdBody = z.object({ query: z.unknown().optional(), accountId: z.unknown().optional(), reason: z.unknown().optional() }).strict();

export async function retentionRoutes(app: FastifyInstance, options: RetentionRoutesOptions): Promise<void> {
  const { retention, planner, now } = options;

  app.get('/api/v1/retention', async () => presentPolicy(await retention.policy()));

  app.put('/api/v1/retention', async (request) => {
    const principal = request.principal?.arn ?? 'unknown';
    const policy = await retention.putPolicy(request.body ?? {}, principal, now());
    const d = policy.policy.default;
    request.auditDetail = {
      action: 'yagura:PutRetentionPolicy',
      resource: '*',
      reason: `${policy.policy.rules.length} rules; default store ${d.storeDays ?? 'forever'} days, archive ${d.archiveDays ?? 'forever'} days`,
    };
    return presentPolicy(policy);
  });

  app.get('/api/v1/retention/plan', async () => {
    const plan = await planner.plan(now());
    return { at: iso(plan.at), store: plan.store.map(presentRule), archive: plan.archive.map(presentRule) };
  });

  app.get('/api/v1/retention/holds', async (request, reply) => {
    const query = parseParams(listQuery, request.query ?? {});
    const holds = await retention.listHolds(query.includeLifted === 'true');
    reply.auditItems = holds.length;
    return { holds: holds.map(presentHold) };
  });

  app.post('/api/v1/retention/holds', async (request, reply) => {
    const body = parseParams(holdBody, request.body ?? {});
    const hold = await retention.createHold(body, request.principal?.arn ?? 'unknown', now());
    const target = hold.accountId !== undefined ? `account ${hold.accountId}` : `query ${JSON.stringify(hold.query)}`;
    request.auditDetail = { action: 'yagura:CreateLegalHold', resource: holdArn(hold.id), reason: `hold on ${target}: ${hold.reason}`.slice(0, 2000) };
    reply.code(201);
    return presentHold(hold);
  });

  app.get('/api/v1/retention/holds/:id', async (request) => {
    const id = (request.params as { id: string }).id;
    return presentHold(await retention.getHold(id));
  });

  app.post('/api/v1/retention/holds/:id/lift', async (request) => {
    const id = (request.params as { id: string }).id;
    const hold = await retention.liftHold(id, request.principal?.arn ?? 'unknown', now());
    request.auditDetail = { action: 'yagura:LiftLegalHold', resource: holdArn(hold.id), reason: `lifted the hold placed by ${hold.createdBy}` };
    return presentHold(hold);
  });
}

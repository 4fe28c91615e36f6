// Builds the real app on a temporary data folder (SQLite file + local archive) for inject() tests.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../src/app.js';
import { createKey } from '../../src/auth/api-keys.js';
import { Sessions, type SessionPolicy } from '../../src/auth/sessions.js';
import type { AlertService } from '../../src/alerts/alert-service.js';
import { configSchema } from '../../src/config/schema.js';
import { buildAlerts, buildFederation, buildRetention, erasureService, openEmbedded, type Embedded } from '../../src/main.js';
import type { ErasureService } from '../../src/erasure/erasure-service.js';

export interface Harness {
  readonly app: FastifyInstance;
  readonly embedded: Embedded;
  readonly dir: string;
  readonly key: string;
  /** Headers carrying the API key. */
  readonly auth: Readonly<Record<string, string>>;
  /** Erasures, when asked for (`erasures: true`). */
  readonly erasures?: ErasureService;
  close(): Promise<void>;
}

export async function harness(
  limits: Partial<{ maxBodyBytes: number; maxItemsPerRequest: number; maxPageSize: number }> = {},
  extra: Partial<Pick<AppDeps, 'metrics' | 'rateRules' | 'server' | 'now'>> & {
    sessions?: SessionPolicy;
    alerts?: boolean;
    /** Serve the erasure routes (the service runs its jobs in this process). */
    erasures?: boolean;
    archiveLagLimitSeconds?: number;
    /** Federation from configuration sections (`sts`, `ldap`, `oidc`, `publicUrl`) as the file would give them. */
    federation?: Record<string, unknown>;
  } = {},
): Promise<Harness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-api-'));
  // Searches and aggregations go through a reader thread or the in-memory facets, as they do in `yagura serve`.
  const embedded = await openEmbedded(path.join(dir, 'data'), 'test', {
    readers: { size: 1, timeoutMs: 30_000 },
    facets: true,
    ...(extra.metrics && { metrics: extra.metrics }),
  });
  const key = `ygr_${randomBytes(32).toString('base64url')}`;
  await createKey(embedded.backend.principals, 'tester', key, Date.now());
  // Alerting's routes without its engine running: enough to call them.
  const alerts: AlertService | undefined = extra.alerts ? buildAlerts(embedded, configSchema.parse({})) : undefined;
  const erasures = extra.erasures ? erasureService(embedded) : undefined;
  await erasures?.loadTombstones();
  const retention = buildRetention(embedded, configSchema.parse({}));
  const app = await buildApp({
    ...(alerts && { alerts }),
    ...(erasures && { erasures }),
    retention: { service: retention.service, planner: retention.planner },
    store: embedded.store,
    pipeline: embedded.pipeline,
    keys: embedded.backend.principals,
    catalog: embedded.catalog,
    audit: embedded.backend.audit,
    cursorSecret: randomBytes(32),
    limits: { maxBodyBytes: 1024 * 1024, maxItemsPerRequest: 1000, maxPageSize: 500, ...limits },
    ...(extra.metrics && { metrics: extra.metrics }),
    ...(extra.rateRules && { rateRules: extra.rateRules }),
    ...(extra.server && { server: extra.server }),
    ...(extra.now && { now: extra.now }),
    ...(extra.archiveLagLimitSeconds !== undefined && {
      archiveHealth: { lagSeconds: () => embedded.archiver.lagSeconds(), limitSeconds: extra.archiveLagLimitSeconds },
    }),
    ...(extra.sessions && { sessions: new Sessions(embedded.backend.sessions, extra.sessions, extra.now) }),
    ...(extra.federation && { federation: buildFederation(embedded, configSchema.parse(extra.federation), extra.now) }),
  });
  return {
    app,
    embedded,
    dir,
    key,
    auth: { 'x-api-key': key },
    ...(erasures && { erasures }),
    async close(): Promise<void> {
      await app.close();
      await erasures?.close();
      await alerts?.close();
      await embedded.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

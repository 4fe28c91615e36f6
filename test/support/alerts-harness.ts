// The real app with alerting on a data folder that survives a restart (close, then open the same folder again).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AlertService } from '../../src/alerts/alert-service.js';
import type { Resolver } from '../../src/alerts/sinks/network-policy.js';
import { buildApp, type AppDeps } from '../../src/app.js';
import { createKey } from '../../src/auth/api-keys.js';
import { Sessions } from '../../src/auth/sessions.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { buildAlerts, buildFederation, buildRetention, erasureService, openEmbedded, type Embedded } from '../../src/main.js';

export interface AlertsHarness {
  readonly app: FastifyInstance;
  readonly embedded: Embedded;
  readonly alerts: AlertService;
  readonly auth: Readonly<Record<string, string>>;
  /** POSTs findings (as a JSON array) to /api/v1/events and expects a 200. */
  ingest(docs: unknown[]): Promise<void>;
  /** Stops the app and store, keeping the data folder. */
  stop(): Promise<void>;
}

export interface AlertsFolder {
  readonly dir: string;
  readonly key: string;
  open(overrides?: { alerts?: Partial<Config['alerts']>; accounts?: Config['accounts']; publicUrl?: string; start?: boolean; resolve?: Resolver } & Pick<AppDeps, 'onRoute' | 'metrics'>): Promise<AlertsHarness>;
  remove(): Promise<void>;
}

/** Quick retries, loopback receivers allowed: what the tests need. */
const TEST_ALERTS = { allowPrivateNetworks: true, maxAttempts: 3, retryBaseMilliseconds: 20, retryMaxMilliseconds: 100, sendTimeoutSeconds: 2, concurrency: 8 };

export async function alertsFolder(): Promise<AlertsFolder> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-alerts-'));
  const key = `ygr_${randomBytes(32).toString('base64url')}`;
  let created = false;
  return {
    dir,
    key,
    async open(overrides = {}): Promise<AlertsHarness> {
      const embedded = await openEmbedded(path.join(dir, 'data'), 'test');
      if (!created) {
        await createKey(embedded.backend.principals, 'tester', key, Date.now());
        created = true;
      }
      const config = configSchema.parse({
        alerts: { ...TEST_ALERTS, ...overrides.alerts },
        accounts: overrides.accounts ?? {},
        ...(overrides.publicUrl !== undefined && { publicUrl: overrides.publicUrl }),
        // A provider that is never contacted: its routes are registered, so every route of federation is served.
        oidc: { providers: [{ id: 'corp', issuer: 'http://127.0.0.1:9/', clientId: 'yagura', allowInsecureHttp: true }] },
      });
      await embedded.catalog.seed(config.accounts);
      const alerts = buildAlerts(embedded, config, overrides.metrics, overrides.resolve);
      const erasures = erasureService(embedded);
      await erasures.loadTombstones();
      const retention = buildRetention(embedded, config);
      const app = await buildApp({
        erasures,
        retention: { service: retention.service, planner: retention.planner },
        store: embedded.store,
        pipeline: embedded.pipeline,
        keys: embedded.backend.principals,
        catalog: embedded.catalog,
        audit: embedded.backend.audit,
        cursorSecret: randomBytes(32),
        limits: { maxBodyBytes: 1024 * 1024, maxItemsPerRequest: 1000, maxPageSize: 500 },
        alerts,
        sessions: new Sessions(embedded.backend.sessions, config.sessions),
        federation: buildFederation(embedded, config),
        ...(overrides.onRoute && { onRoute: overrides.onRoute }),
        ...(overrides.metrics && { metrics: overrides.metrics }),
      });
      if (overrides.start !== false) await alerts.start();
      const auth = { 'x-api-key': key };
      return {
        app,
        embedded,
        alerts,
        auth,
        async ingest(docs): Promise<void> {
          const res = await app.inject({ method: 'POST', url: '/api/v1/events', headers: auth, payload: docs as object });
          if (res.statusCode !== 200) throw new Error(`ingest answered ${res.statusCode}: ${res.body}`);
        },
        async stop(): Promise<void> {
          await alerts.close();
          await app.close();
          await erasures.close();
          await embedded.close();
        },
      };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

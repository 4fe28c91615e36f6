// The server backend: every store on one PostgreSQL database, shared by every Yagura instance pointed at it. The
// finding store keeps its own pool; the server-state stores share a second one, and one more connection listens for
// other instances' changes to principals and the catalog.
import type { Lease } from '../lease.js';
import { AdvisoryLease } from './advisory-lease.js';
import type { Backend, BackendOptions, BulkLoad } from '../backend.js';
import { postgresAlertStores, type PostgresAlertStores } from './alert-stores.js';
import { PostgresAuditStore } from './audit-store.js';
import { PostgresCatalogStore } from './catalog-store.js';
import type { PgDatabase } from './database.js';
import { storedSecret } from './meta.js';
import { describeTarget, type StoreConfig } from './postgres-config.js';
import { storeError } from './pool.js';
import { PostgresErasureStore } from './erasure-store.js';
import { PostgresStore } from './postgres-store.js';
import { FacetedFindingStore } from '../facets/faceted-store.js';
import { PostgresPrincipalStore } from './principal-store.js';
import { PostgresRetentionStore } from './retention-store.js';
import { PostgresRoleMapStore } from './role-map-store.js';
import { PostgresSourceStateStore } from './source-state-store.js';
import { PostgresRoleSessionStore } from './role-session-store.js';
import { PostgresSessionRepository } from './session-repository.js';
import { PostgresSigningKeyStore } from './signing-key-store.js';
import { StateChanges, stateChannel, StateListener } from './state-changes.js';
import { openStateDatabase, schemaPoolConfig } from './state-database.js';
import { PostgresTransfer } from './transfer.js';

export interface PostgresBackendOptions extends BackendOptions {
  /** The validated `store` section; its `url` must be set. */
  readonly config: StoreConfig;
  /** Keep every table in this schema instead of the user's default (tests give each backend its own). */
  readonly schema?: string;
  /** Errors of idle pooled connections and of the listening connection; both recover by themselves. */
  readonly onPoolError?: (error: Error) => void;
  /** How long an alert delivery claimed by this instance stays with it before another may take it over. */
  readonly deliveryClaimMs?: number;
  /**
   * Keep the catalogue facts of every finding in memory, loaded at start and following every instance's commits
   * through the change log, and answer overviews and search totals from there (a server wants this; a CLI verb not).
   */
  readonly facets?: boolean;
}

/** The PostgreSQL backend, its stores by their PostgreSQL types (for tests of PostgreSQL itself). */
export interface PostgresBackend extends Backend {
  readonly findings: FacetedFindingStore<PostgresStore>;
  readonly alerts: PostgresAlertStores;
  readonly principals: PostgresPrincipalStore;
  readonly catalog: PostgresCatalogStore;
  readonly roleSessions: PostgresRoleSessionStore;
  readonly signingKeys: PostgresSigningKeyStore;
  /** Reads records out and, for a copy into this database, writes them in. */
  readonly transfer: PostgresTransfer;
}

/**
 * How `poolSize` is shared: about a third for the server-state stores (sessions, keys, audit batches, alerting),
 * the rest for findings. The listening connection comes on top.
 */
export function splitPool(poolSize: number): { readonly findings: number; readonly state: number } {
  const state = Math.max(2, Math.round(poolSize * 0.3));
  return { findings: Math.max(1, poolSize - state), state };
}

/** What the operator is told the data is: server, port and database (never credentials), and the schema if any. */
function description(config: StoreConfig, schema: string | undefined): string {
  return `PostgreSQL ${describeTarget(config.url ?? '')}${schema === undefined ? '' : ` (schema ${schema})`}`;
}

/**
 * Connects, migrates (each list once, whatever other instances start at the same time) and opens every store.
 * Fails with a coded PostgresStoreError when the server is unreachable or its schema is newer than this Yagura.
 */
export async function openPostgresBackend(options: PostgresBackendOptions): Promise<PostgresBackend> {
  try {
    return await openStores(options);
  } catch (error) {
    // A server that cannot be reached is STORE_UNAVAILABLE, named by host and database only.
    throw storeError(error, options.config.url);
  }
}

async function openStores(options: PostgresBackendOptions): Promise<PostgresBackend> {
  const { config, schema, secrets } = options;
  const leases: AdvisoryLease[] = [];
  const sizes = splitPool(config.poolSize);
  const store = await PostgresStore.open({ config: { ...config, poolSize: sizes.findings }, ...(schema !== undefined && { schema }), ...(options.onPoolError && { onPoolError: options.onPoolError }) });
  const findings = new FacetedFindingStore(store, options.facets === true ? { source: store.facetSource() } : {});
  let state: PgDatabase | undefined;
  try {
    state = await openStateDatabase({ config: { ...config, poolSize: sizes.state }, ...(schema !== undefined && { schema }), ...(options.onPoolError && { onPoolError: options.onPoolError }) });
    const db = state;
    const changes = new StateChanges(stateChannel(schema));
    const principals = new PostgresPrincipalStore(db, changes);
    const catalog = new PostgresCatalogStore(db, changes);
    const listener = await StateListener.start({
      config: schemaPoolConfig(config, schema, 'yagura-listen'),
      changes,
      onChange: (topic) => (topic === 'principals' ? principals.invalidate() : catalog.invalidate()),
      ...(options.onPoolError && { onError: options.onPoolError }),
    });
    const alerts = postgresAlertStores(db, secrets, options.deliveryClaimMs === undefined ? {} : { claimMs: options.deliveryClaimMs });
    const roleSessions = new PostgresRoleSessionStore(db);
    const signingKeys = new PostgresSigningKeyStore(db);
    const audit = new PostgresAuditStore(db, options.audit ?? {});
    return {
      findings,
      alerts,
      principals,
      sessions: new PostgresSessionRepository(db),
      roleSessions,
      signingKeys,
      roleMap: new PostgresRoleMapStore(db),
      catalog,
      sourceState: new PostgresSourceStateStore(db),
      retention: new PostgresRetentionStore(db),
      audit,
      erasures: new PostgresErasureStore(db),
      sealed: [alerts.destinations, roleSessions, signingKeys],
      transfer: new PostgresTransfer(db),
      storedSecret: (name, create) => storedSecret(db, name, create),
      // Nothing set aside: other instances keep reading and writing while one imports.
      bulkLoad: async (): Promise<BulkLoad | undefined> => undefined,
      async sizeBytes(): Promise<number> {
        // A schema of its own is measured by its tables (with their indexes and TOAST); otherwise the database is Yagura's.
        const [row] = await db.rows<{ bytes: string | number | null }>(
          schema === undefined
            ? 'SELECT pg_database_size(current_database()) AS bytes'
            : `SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')`,
        );
        return Number(row?.bytes ?? 0);
      },
      facetsReady: () => findings.facetsReady,
      catchUp: () => findings.catchUp(),
      describe: () => description(config, schema),
      async check(): Promise<void> {
        await db.rows('SELECT 1');
      },
      shared: true,
      lease(name: string): Lease {
        const lease = new AdvisoryLease(config, `yagura:${schema ?? 'public'}:${name}`);
        leases.push(lease);
        return lease;
      },
      async close(): Promise<void> {
        // Leases first, so another instance takes over at once; then the audit log, which writes what it queues.
        await Promise.all(leases.map((l) => l.release()));
        await audit.close();
        await listener.close();
        await Promise.all([findings.close(), db.pool.end()]);
      },
    };
  } catch (error) {
    await state?.pool.end();
    await findings.close();
    throw error;
  }
}

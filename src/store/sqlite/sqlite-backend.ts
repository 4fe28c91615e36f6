// The embedded backend: every store on one SQLite file (see docs/adr/0001-embedded-store.md).
import { SOLE_HOLDER } from '../lease.js';
import { SqliteSigningKeyStore } from './signing-key-store.js';
import { SqliteErasureStore } from './erasure-store.js';
import type { Backend, BackendOptions, BulkLoad } from '../backend.js';
import { sqliteAlertStores, type SqliteAlertStores } from './alert-stores.js';
import { SqliteAuditStore } from './audit-store.js';
import { SqliteCatalogStore } from './catalog-store.js';
import { SqliteSourceStateStore } from './source-state-store.js';
import { SqliteRoleMapStore } from './directory-role-map-store.js';
import { storedSecret } from './meta.js';
import { SqlitePrincipalStore } from './principal-store.js';
import { SqliteRetentionStore } from './retention-store.js';
import { SqliteRoleSessionStore } from './role-session-store.js';
import { SqliteSessionRepository } from './session-repository.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import { FacetedFindingStore } from '../facets/faceted-store.js';
import { SqliteFacetSource } from './facet-source.js';
import { SqliteTransferSource } from './transfer-source.js';

export interface SqliteBackendOptions extends BackendOptions, Omit<SqliteStoreOptions, 'readonly' | 'secrets'> {
  /**
   * Keep the catalogue facts of every finding in memory (about 45 bytes a finding plus its distinct values) and
   * answer the overview's aggregations and search totals from there: a server wants this; a one-shot CLI verb does not.
   */
  readonly facets?: boolean;
  /** Tests: `'facets'` has the facets choose every page they can (see facetSearch). */
  readonly pageChoice?: 'measured' | 'facets';
}

/** The SQLite backend, its stores by their SQLite types (for tests of SQLite itself). */
export interface SqliteBackend extends Backend {
  readonly findings: FacetedFindingStore<SqliteStore>;
  readonly alerts: SqliteAlertStores;
  readonly roleSessions: SqliteRoleSessionStore;
  readonly signingKeys: SqliteSigningKeyStore;
}

/** Opens (creating or migrating) the database file and every store on it. */
export async function openSqliteBackend(options: SqliteBackendOptions): Promise<SqliteBackend> {
  const { secrets, audit: auditEvents, facets, pageChoice, ...storeOptions } = options;
  const store = new SqliteStore({ ...storeOptions, secrets });
  try {
    const db = store.db;
    const findings = new FacetedFindingStore(store, facets === true ? { source: new SqliteFacetSource(db), ...(pageChoice && { pageChoice }) } : {});
    const alerts = sqliteAlertStores(db, secrets);
    const roleSessions = new SqliteRoleSessionStore(db);
    const signingKeys = new SqliteSigningKeyStore(db);
    const audit = new SqliteAuditStore(db, auditEvents ?? {});
    return {
      findings,
      alerts,
      principals: new SqlitePrincipalStore(db),
      sessions: new SqliteSessionRepository(db),
      roleSessions,
      signingKeys,
      roleMap: new SqliteRoleMapStore(db),
      catalog: new SqliteCatalogStore(db),
      sourceState: new SqliteSourceStateStore(db),
      retention: new SqliteRetentionStore(db),
      audit,
      erasures: new SqliteErasureStore(db),
      sealed: [alerts.destinations, roleSessions, signingKeys],
      transfer: new SqliteTransferSource(db),
      async storedSecret(name: string, create: () => Buffer): Promise<Buffer> {
        return storedSecret(db, name, create);
      },
      async bulkLoad(versions: number): Promise<BulkLoad | undefined> {
        // Sorted builds over the whole store cost less than random inserts into its indexes only when the load
        // brings more versions than the store holds findings.
        if (versions <= (await store.count())) return undefined;
        store.deferIndexes();
        return {
          async finish(): Promise<void> {
            store.finishBulkLoad();
          },
        };
      },
      async sizeBytes(): Promise<number> {
        return store.sizeBytes();
      },
      facetsReady: () => findings.facetsReady,
      // The only writer: its facets follow its own writes as they commit.
      catchUp: async (): Promise<void> => undefined,
      describe: () => `SQLite file ${options.file}`,
      // The file is open in this process: nothing to reach.
      check: async (): Promise<void> => undefined,
      // The folder's lock already makes this process the only one on the store.
      lease: () => SOLE_HOLDER,
      shared: false,
      async close(): Promise<void> {
        await audit.close();
        await findings.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

// Composition root: builds every component from the configuration and wires them together.
import { ChangeFollower } from './ingest/change-follower.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { Archiver } from './archive/archiver.js';
import { ErasureService } from './erasure/erasure-service.js';
import type { StoredArchive } from './archive/stored-objects.js';
import { openArchive } from './archive/open-archive.js';
import { bootstrapAdmin, type BootstrapResult } from './auth/api-keys.js';
import { ACTIONS } from './auth/actions.js';
import { ownerScope } from './auth/finding-scope/owner-scope.js';
import { PrincipalResolver } from './auth/principals/resolver.js';
import { Sessions } from './auth/sessions.js';
import { configSchema, type Config } from './config/schema.js';
import { generateDemoSet } from './demo/generate.js';
import { normalizeFinding } from './findings/normalize.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { S3ExportSource } from './ingest/s3-export/s3-export-source.js';
import { SourceSet } from './ingest/source-set.js';
import { Metrics } from './metrics/metrics.js';
import { checkListenAddress } from './protection/listen-policy.js';
import { RateRules } from './protection/rate-rules.js';
import type { Backend } from './store/backend.js';
import { dataFolder, lockDataFolder, type DataLock } from './store/data-folder.js';
import type { FindingStore } from './store/finding-store.js';
import { openSqliteBackend } from './store/sqlite/sqlite-backend.js';
import type { StoreConfig } from './store/postgres/postgres-config.js';
import { SigningKeys } from './auth/principals/signing-keys.js';
import type { Federation } from './app.js';
import { DirectoryRoleMap } from './auth/federation/role-map.js';
import { buildLdapDirectory } from './auth/federation/ldap/ldap-directory.js';
import { LdapSignIn } from './auth/federation/ldap/ldap-sign-in.js';
import { OidcFederation } from './auth/federation/oidc/oidc-federation.js';
import { OidcProviders } from './auth/federation/oidc/oidc-providers.js';
import { FederatedSignIn } from './auth/sts/federated-sign-in.js';
import { RoleSessions } from './auth/sts/role-sessions.js';
import { DEFAULT_SIGN_IN_THROTTLE, SignInThrottle } from './protection/sign-in-throttle.js';
import { Catalog } from './catalog/catalog.js';
import { AlertService } from './alerts/alert-service.js';
import type { Resolver } from './alerts/sinks/network-policy.js';
import type { Keyring } from './auth/secrets/keyring.js';
import { loadKeyring } from './auth/secrets/load-keyring.js';
import type { SecretBox } from './auth/secrets/secret-box.js';
import { checkSealedRecords } from './auth/secrets/sealed-records.js';
import { ArchivePass, planRetention } from './retention/archive-pass.js';
import { SYSTEM_CLOCK, type RetentionClock } from './retention/retention-clock.js';
import { RetentionEnforcer } from './retention/retention-enforcer.js';
import type { RetentionPlanner } from './retention/retention-plan.js';
import { Retention } from './retention/retention.js';
import { storeRemoval } from './retention/store-removal.js';
import { StorePass } from './retention/store-pass.js';

/** The backend, archive and ingest pipeline on one data folder, owned by this process. */
export interface Embedded {
  /** Every store the server keeps its state in. */
  readonly backend: Backend;
  /** The findings the pipeline stores and the API reads (the backend's finding store). */
  readonly store: FindingStore;
  readonly archive: StoredArchive;
  /** Seals and writes the rolling archive objects (`serve` starts it rolling). */
  readonly archiver: Archiver;
  readonly pipeline: IngestPipeline;
  /** The account catalog; accounts seen in stored findings join its `unassigned` group. */
  readonly catalog: Catalog;
  /** Seals secrets that must be read back (alert destinations, STS secret keys) with the master key. */
  readonly secrets: SecretBox;
  /** Where the master keys came from; `generated`: the folder's key file was made by this open (first start). */
  readonly masterKey: { readonly source: 'env' | 'file' | 'given'; readonly generated: boolean };
  readonly lock: DataLock;
  /** Versions written to the archive at open: those an unclean stop left in the outbox. */
  readonly replayed: number;
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  readonly maxBatchFindings?: number;
  /** When rolling objects are sealed (defaults: the configuration's). */
  readonly archive?: Config['archive'];
  /** Imports: each batch makes archive objects of its own, written before it is acknowledged. */
  readonly archiveEachBatch?: boolean;
  readonly metrics?: Metrics;
  /** Reader threads for searches and aggregations; none runs them on the main thread (one-shot CLI verbs). */
  readonly readers?: { readonly size: number; readonly timeoutMs: number };
  /** Writer page cache (see SqliteStoreOptions.cacheMiB). */
  readonly cacheMiB?: number;
  /** Bulk loading (see SqliteStoreOptions.bulk). */
  readonly bulk?: boolean;
  /** Catalogue facts in memory for fast overview aggregations (see SqliteStoreOptions.facets). */
  readonly facets?: boolean;
  /** WAL checkpoints on a thread of their own (see SqliteStoreOptions.backgroundCheckpoints). */
  readonly backgroundCheckpoints?: boolean;
  /** Free-text index merged between commits (see SqliteStoreOptions.textMerges). */
  readonly textMerges?: boolean;
  /** The master keys (a rotation gives its own); by default YAGURA_MASTER_KEY or the folder's key file, made when absent. */
  readonly keyring?: Keyring;
  /** Where YAGURA_MASTER_KEY is read (default: the process's environment). */
  readonly env?: NodeJS.ProcessEnv;
  /** A PostgreSQL store instead of the folder's SQLite file, when its `url` is set. */
  readonly store?: StoreConfig;
  /** On a shared store, how long a claimed alert delivery stays with this instance (alerts.claimSeconds). */
  readonly deliveryClaimMs?: number;
}

/** The store options `serve` runs with, apart from the batch size and metrics; tests run the store suite on them too. */
export type ServerStoreOptions = Required<Pick<EmbeddedOptions, 'readers' | 'facets' | 'backgroundCheckpoints' | 'textMerges'>>;

/** How a server opens its store: reader threads, facets in memory, checkpoints and text merges off the commits. */
export function serverStoreOptions(search: Config['search']): ServerStoreOptions {
  return {
    readers: { size: search.readerThreads, timeoutMs: search.queryTimeoutSeconds * 1000 },
    facets: true,
    backgroundCheckpoints: true,
    textMerges: true,
  };
}

const ARCHIVE_DEFAULTS = configSchema.shape.archive.parse(undefined);

export async function openEmbedded(dataDir: string, owner: string, options: EmbeddedOptions = {}): Promise<Embedded> {
  const folder = dataFolder(dataDir);
  const lock = lockDataFolder(folder, owner);
  let backend: Backend | undefined;
  try {
    const loaded = options.keyring ? { keyring: options.keyring, source: 'given' as const, generated: false } : loadKeyring(folder.dir, options.env ?? process.env);
    const secrets = loaded.keyring;
    const metrics = options.metrics;
    const audit = metrics && {
      onWritten: (entry: { readonly decision: string }) => metrics.auditEntries.inc({ decision: entry.decision }),
      onDropped: () => metrics.auditDropped.inc(),
    };
    if (options.store?.url !== undefined) {
      // PostgreSQL's driver is loaded only for a PostgreSQL store, as the S3 client only for a bucket.
      const { openPostgresBackend } = await import('./store/postgres/postgres-backend.js');
      backend = await openPostgresBackend({ config: options.store, secrets, ...(audit && { audit }), ...(options.facets && { facets: true }),
        ...(options.deliveryClaimMs !== undefined && { deliveryClaimMs: options.deliveryClaimMs }) });
    } else {
      backend = await openSqliteBackend({
        file: folder.databaseFile,
        secrets,
        ...(options.readers && { readers: options.readers }),
        ...(options.cacheMiB !== undefined && { cacheMiB: options.cacheMiB }),
        ...(options.bulk && { bulk: true }),
        ...(options.facets && { facets: true }),
        ...(options.backgroundCheckpoints && { backgroundCheckpoints: true }),
        ...(options.textMerges && { textMerges: true }),
        ...(audit && { audit }),
      });
    }
    const store = backend.findings;
    const archive = await openArchive(options.archive ?? ARCHIVE_DEFAULTS, folder);
    const archiver = new Archiver({
      outbox: store.outbox,
      archive,
      // Instances sharing a store share its outbox: one at a time seals and writes it.
      lease: backend.lease('archive'),
      ...(options.archive ?? ARCHIVE_DEFAULTS),
      ...(metrics && {
        events: {
          sealed: (object, bytes) => {
            metrics.archiveObjects.inc();
            metrics.archiveLines.inc(object.lines);
            metrics.archiveBytes.inc(bytes);
          },
          failed: () => metrics.archiveFailures.inc(),
        },
      }),
    });
    const pipeline = new IngestPipeline({
      store,
      announceLocal: !backend.shared,
      ...(options.archiveEachBatch && { archiveEachBatch: archive }),
      ...(options.maxBatchFindings && { maxBatchFindings: options.maxBatchFindings }),
      ...(metrics && { metrics }),
    });
    // Objects an unclean stop left open or sealed are sealed and written now, under the names they were given. An
    // archive that cannot be reached now (a bucket down) does not stop the start: they stay sealed in the outbox,
    // the archiver's passes write them once it answers, and /health shows the lag meanwhile.
    const replayed = await archiver.sealAll().catch(() => 0);
    const b = backend;
    // A wrong or missing master key stops the start here, with the key it lacks, instead of failing deliveries.
    await checkSealedRecords(b.sealed, secrets);
    const catalog = await Catalog.open(b.catalog);
    pipeline.subscribe((stored) => catalog.noticeAccounts(stored.map((x) => x.key.accountId)));
    // On a shared store, every instance's commits reach the listeners from the store's change log.
    const follower = b.shared ? new ChangeFollower(store, pipeline, { catchUp: () => b.catchUp() }) : undefined;
    await follower?.start();
    return {
      backend: b,
      store,
      archive,
      archiver,
      pipeline,
      catalog,
      secrets,
      masterKey: { source: loaded.source, generated: loaded.generated },
      lock,
      replayed,
      async close(): Promise<void> {
        try {
          await follower?.stop();
          await pipeline.flush();
          // What cannot be archived now stays in the outbox for the next start; the store still closes cleanly.
          await archiver.close().catch(() => undefined);
          await catalog.settled();
          await archive.close();
          await b.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    await backend?.close();
    lock.release();
    throw error;
  }
}

/** What `--demo` did: loaded findings (and versions, over days), or nothing because the store held `existing`. */
export type DemoLoad =
  | { readonly loaded: true; readonly findings: number; readonly versions: number; readonly days: number }
  | { readonly loaded: false; readonly existing: number };

/** Loads the generated demo findings when the store is empty, and says what it stored. */
export async function loadDemo(embedded: Embedded, now: number): Promise<DemoLoad> {
  const existing = await embedded.store.count();
  if (existing > 0) return { loaded: false, existing };
  const findings = generateDemoSet(now).flatMap((doc) => {
    const result = normalizeFinding(doc);
    return result.ok ? [result.finding] : [];
  });
  const outcomes = await embedded.pipeline.submit(findings);
  const stored = findings.filter((_, i) => outcomes[i] !== 'unchanged');
  const identities = new Set(stored.map((f) => `${f.key.accountId}/${f.key.region}/${f.key.id}`));
  const earliest = Math.min(...stored.map((f) => f.createdAt ?? f.updatedAt));
  return { loaded: true, findings: identities.size, versions: stored.length, days: stored.length > 0 ? Math.ceil((now - earliest) / 86_400_000) : 0 };
}

/** The dashboard build: dist/web beside the compiled server, or the repository's dist/web when run from src/. */
export function findDashboard(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [path.join(here, 'web'), path.join(here, '..', 'dist', 'web')].find((dir) => existsSync(path.join(dir, 'index.html')));
}

export interface Server {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly embedded: Embedded;
  readonly bootstrap: BootstrapResult;
  /** Present when the configuration asked for demo data. */
  readonly demo?: DemoLoad;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Where the server's log goes instead of stdout as JSON lines (a terminal gets readable lines). */
  readonly logStream?: NodeJS.WritableStream;
}

/** Alerting on the embedded store, as configured; started once the HTTP app (and its logger) exists. */
export function buildAlerts(embedded: Embedded, config: Pick<Config, 'alerts' | 'publicUrl'>, metrics?: Metrics, resolve?: Resolver): AlertService {
  const a = config.alerts;
  // Rules fire only on findings their owner may read, tags from the account catalog included.
  const owners = { resolver: new PrincipalResolver(embedded.backend.principals), action: ACTIONS.GetFinding.name, accountTags: () => embedded.catalog.accountTags() };
  return new AlertService({
    owners: (owner, now) => ownerScope(owners, owner, now),
    // Instances sharing a store evaluate one at a time; the embedded store's lease is always this process's.
    lease: embedded.backend.lease('alert-evaluation'),
    // Other instances read the shared change log for their live streams: evaluated entries stay a minute for them.
    keepChangesMs: embedded.backend.shared ? 60_000 : 0,
    store: embedded.store,
    alerts: embedded.backend.alerts,
    pipeline: embedded.pipeline,
    settings: {
      ...(config.publicUrl !== undefined && { publicUrl: config.publicUrl }),
      accounts: embedded.catalog,
      network: { allowPrivateNetworks: a.allowPrivateNetworks },
      retry: { maxAttempts: a.maxAttempts, retryBaseMs: a.retryBaseMilliseconds, retryMaxMs: a.retryMaxMilliseconds },
      sendTimeoutMs: a.sendTimeoutSeconds * 1000,
      concurrency: a.concurrency,
      keepDeliveriesMs: a.keepDeliveriesDays * 86_400_000,
    },
    ...(metrics && { metrics }),
    ...(resolve && { resolve }),
  });
}

/** Retention as configured: the policy and holds, both passes, their plan, and the background enforcer (not started). */
export interface RetentionParts {
  readonly service: Retention;
  readonly store: StorePass;
  readonly archive: ArchivePass;
  readonly planner: RetentionPlanner;
  readonly enforcer: RetentionEnforcer;
}

export function buildRetention(embedded: Embedded, config: Pick<Config, 'retention'>, options: { readonly metrics?: Metrics; readonly clock?: RetentionClock } = {}): RetentionParts {
  const { backend } = embedded;
  const { metrics, clock = SYSTEM_CLOCK } = options;
  const r = config.retention;
  const service = new Retention(backend.retention, { default: r.default, rules: r.rules });
  // A batch's removal holds the writer (and, on the embedded store, the event loop): the pause after it is at least as
  // long, so retention never takes more than half of the writer's time.
  const pause = (lastBatchMs = 0): Promise<void> => clock.sleep(Math.max(r.pauseMilliseconds, lastBatchMs));
  const store = new StorePass({
    findings: backend.findings,
    catalog: backend.catalog,
    retention: service,
    remove: storeRemoval(backend),
    batchFindings: r.batchFindings,
    yieldBetweenBatches: pause,
    ...(metrics && {
      onBatch: (rule: string, removed: number, lagMs: number) => {
        metrics.retentionRemoved.inc({ scope: 'store', rule }, removed);
        metrics.retentionLag.set({ scope: 'store' }, lagMs / 1000);
      },
    }),
  });
  const archive = new ArchivePass({
    archive: embedded.archive,
    // No archiver pass and no erasure rewrite runs while an object is changed.
    exclusive: (work) => embedded.archiver.exclusive(work),
    outbox: backend.findings.outbox,
    findings: backend.findings,
    catalog: backend.catalog,
    retention: service,
    yieldBetweenObjects: () => pause(),
    ...(metrics && {
      onObject: (action: 'deleted' | 'rewritten', removed: ReadonlyMap<string, number>, lagMs: number) => {
        metrics.retentionArchiveObjects.inc({ action });
        for (const [rule, n] of removed) metrics.retentionRemoved.inc({ scope: 'archive', rule }, n);
        metrics.retentionLag.set({ scope: 'archive' }, lagMs / 1000);
      },
    }),
  });
  const enforcer = new RetentionEnforcer({
    passes: [
      { scope: 'store', run: async (now, mayContinue) => (await store.run(now, mayContinue)).complete },
      { scope: 'archive', run: async (now, mayContinue) => (await archive.run(now, mayContinue)).complete },
    ],
    // Instances sharing a store run retention one at a time.
    lease: backend.lease('retention'),
    clock,
    intervalMs: r.intervalSeconds * 1000,
    ...(metrics && { onPass: (scope: 'store' | 'archive', outcome: string) => metrics.retentionPasses.inc({ scope, outcome }) }),
  });
  return { service, store, archive, planner: { plan: (now) => planRetention({ store, archive }, now) }, enforcer };
}

/** Federation as configured: temporary credentials always (SigV4, GetCallerIdentity), LDAP and OIDC when set. */
export function buildFederation(embedded: Embedded, config: Pick<Config, 'sts' | 'ldap' | 'oidc' | 'publicUrl'>, now: () => number = Date.now): Federation {
  const { backend } = embedded;
  const resolver = new PrincipalResolver(backend.principals, now);
  const roleSessions = new RoleSessions(
    backend.roleSessions,
    embedded.secrets,
    resolver,
    { defaultSeconds: config.sts.defaultDurationSeconds, minSeconds: 900, maxSeconds: config.sts.maxDurationSeconds },
    now,
  );
  const roleMap = new DirectoryRoleMap(config.ldap?.roleMap ?? {}, backend.roleMap);
  // One throttle for every password sign-in (directory and local users), keyed by where the name lives.
  const throttle = new SignInThrottle(DEFAULT_SIGN_IN_THROTTLE, now);
  const directory = config.ldap && new LdapSignIn(buildLdapDirectory(config.ldap), roleMap);
  const oidc = config.oidc.providers.length > 0 ? new OidcFederation(new OidcProviders(config.oidc.providers, { now })) : undefined;
  const signIn = new FederatedSignIn({
    sessions: roleSessions,
    directory,
    webIdentity: oidc,
    roles: { trustPolicy: async (name) => (await backend.principals.getRole(name))?.trustPolicy ?? undefined },
    throttle,
  });
  const signingKeys = new SigningKeys(backend.signingKeys, embedded.secrets, resolver);
  return { roleSessions, signingKeys, signIn, oidc, roleMap, throttle, sigv4Region: config.sts.sigv4Region, publicUrl: config.publicUrl };
}

/** The push source and the configured collectors (not started). */
export function buildSources(
  embedded: Embedded,
  config: Pick<Config, 'sources'>,
  metrics?: Metrics,
  options: { waitTimeSeconds?: number; isErasedAccount?: (accountId: string) => boolean } = {},
): SourceSet {
  const collectors = config.sources.s3Export.map(
    (s) =>
      new S3ExportSource(s, {
        pipeline: embedded.pipeline,
        state: embedded.backend.sourceState,
        ...(options.isErasedAccount && { isErasedAccount: options.isErasedAccount }),
        ...(metrics && { metrics }),
        ...(options.waitTimeSeconds !== undefined && { waitTimeSeconds: options.waitTimeSeconds }),
      }),
  );
  return new SourceSet(collectors);
}

/** Starts Yagura as configured: data folder, admin key, demo data, HTTP listener. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<Server> {
  checkListenAddress(config.host, config.tls !== undefined, config.insecureHttp);
  const https = config.tls && { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) };
  const p = config.protection;
  const metrics = new Metrics();
  const rateRules = new RateRules({
    windowSeconds: p.rateWindowSeconds,
    limits: { ingest: p.ingestRequestsPerWindow, read: p.readRequestsPerWindow, login: p.loginRequestsPerWindow },
    allowCidrs: p.allowCidrs,
    maxTrackedSources: p.maxTrackedSources,
  });
  const embedded = await openEmbedded(config.dataDir, 'yagura serve', {
    maxBatchFindings: config.ingest.maxBatchFindings,
    archive: config.archive,
    store: config.store,
    deliveryClaimMs: config.alerts.claimSeconds * 1000,
    metrics,
    ...serverStoreOptions(config.search),
  });
  let alerts: AlertService | undefined;
  let sources: SourceSet | undefined;
  let erasures: ErasureService | undefined;
  let retention: RetentionParts | undefined;
  try {
    metrics.gauge('yagura_ingest_queue_findings', 'Findings waiting for the next commit', () => embedded.pipeline.queueDepth);
    metrics.gauge('yagura_store_findings', 'Findings in the store', () => embedded.store.count());
    metrics.gauge('yagura_store_facets_ready', 'Whether overview aggregations are answered from memory (1) or still from SQL while loading (0)', () => (embedded.backend.facetsReady() ? 1 : 0));
    metrics.gauge('yagura_store_bytes', 'Size of the store database file', () => embedded.backend.sizeBytes());
    metrics.gauge('yagura_archive_lag_seconds', 'Age of the oldest finding version stored but not yet in the archive', () => embedded.archiver.lagSeconds());
    // Checked often enough that the size trigger and the roll interval are each met within about a second.
    embedded.archiver.start(Math.min(1000, config.archive.rollSeconds * 250));
    metrics.gauge('yagura_rate_limit_blocked_sources', 'Sources currently over a rate limit', () => rateRules.blocks().length);
    const bootstrap = await bootstrapAdmin(embedded.backend.principals, config.bootstrapKey, Date.now());
    const demo = config.demo ? await loadDemo(embedded, Date.now()) : undefined;
    // The configuration's accounts seed the catalog; alert routing and scopes read the catalog.
    await embedded.catalog.seed(config.accounts);
    alerts = buildAlerts(embedded, config, metrics);
    const started = alerts;
    erasures = erasureService(embedded);
    await erasures.loadTombstones();
    retention = buildRetention(embedded, config, { metrics });
    const dashboardRoot = findDashboard();
    const erased = erasures;
    sources = buildSources(embedded, config, metrics, { isErasedAccount: (accountId) => erased.isErasedAccount(accountId) });
    const collecting = sources;
    const app = await buildApp({
      store: embedded.store,
      pipeline: embedded.pipeline,
      sources: collecting,
      keys: embedded.backend.principals,
      catalog: embedded.catalog,
      audit: embedded.backend.audit,
      cursorSecret: await embedded.backend.storedSecret('cursor', () => randomBytes(32)),
      limits: {
        maxBodyBytes: config.ingest.maxBodyBytes,
        maxItemsPerRequest: config.ingest.maxItemsPerRequest,
        maxPageSize: config.search.maxPageSize,
      },
      logger: { level: config.logLevel, ...(options.logStream && { stream: options.logStream }) },
      sessions: new Sessions(embedded.backend.sessions, config.sessions),
      federation: buildFederation(embedded, config),
      ...(dashboardRoot && { dashboardRoot }),
      metrics,
      archiveHealth: { lagSeconds: () => embedded.archiver.lagSeconds(), limitSeconds: 2 * config.archive.rollSeconds },
      storeHealth: embedded.backend,
      rateRules: { rules: rateRules, windowSeconds: p.rateWindowSeconds },
      alerts,
      erasures,
      retention: { service: retention.service, planner: retention.planner },
      server: {
        ...(https && { https }),
        requestTimeoutSeconds: p.requestTimeoutSeconds,
        keepAliveTimeoutSeconds: p.keepAliveTimeoutSeconds,
        maxHeaderBytes: p.maxHeaderBytes,
        maxEventLoopDelayMs: p.maxEventLoopDelayMs,
      },
    });
    app.server.headersTimeout = p.headersTimeoutSeconds * 1000;
    app.server.maxConnections = p.maxConnections;
    await started.start(app.log.child({ component: 'alerts' }));
    // Why the archive cannot be written (a bucket refusing the credentials, unreachable) goes to the log, at most
    // once a minute; /health shows only the lag, since it answers without authentication.
    let lastArchiveWarning = -Infinity;
    embedded.archiver.onFailure((error) => {
      if (Date.now() - lastArchiveWarning < 60_000) return;
      lastArchiveWarning = Date.now();
      app.log.warn({ component: 'archive', err: error }, 'the archive cannot be written now; versions stay in the outbox and are retried');
    });
    app.addHook('onClose', async () => started.close());
    const erasing = erasures;
    erasing.onFailure((job, error) => app.log.error({ component: 'erasure', job, err: error }, 'an erasure failed'));
    // Other instances write tombstones too: read them again every few seconds.
    const tombstones = embedded.backend.shared ? setInterval(() => void erasing.loadTombstones().catch(() => undefined), 5_000) : undefined;
    tombstones?.unref();
    app.addHook('onClose', async () => {
      clearInterval(tombstones);
      await erasing.close();
    });
    // Erasures a crash interrupted go on where they stopped.
    await erasing.resume();
    const enforcer = retention.enforcer;
    app.addHook('onClose', async () => enforcer.close());
    enforcer.start();
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `${https ? 'https' : 'http'}://${host}:${port}`;
    embedded.lock.setUrl(url);
    // Collectors start once the server answers, so their health is visible from their first pass.
    await collecting.start({ log: app.log.child({ component: 'sources' }) });
    // Several instances behind one store each say which one a scrape came from.
    metrics.registry.setDefaultLabels({ instance: `${hostname()}:${port}` });
    return {
      app,
      url,
      embedded,
      bootstrap,
      ...(demo && { demo }),
      async close(): Promise<void> {
        // Collectors first: what they are storing is acknowledged (or left on the queue) before the store closes.
        await collecting.stop();
        await app.close();
        await embedded.close();
      },
    };
  } catch (error) {
    await sources?.stop();
    await erasures?.close();
    await alerts?.close();
    await retention?.enforcer.close();
    await embedded.close();
    throw error;
  }
}

/** Erasures on this process's stores and archive; the archiver holds its passes while the archive is rewritten. */
export function erasureService(embedded: Embedded, options: { now?: () => number; compact?: boolean } = {}): ErasureService {
  const { now, compact } = options;
  return new ErasureService({
    ...(compact && { compact }),
    sharedArchive: embedded.backend.shared,
    findings: embedded.store,
    alerts: embedded.backend.alerts,
    erasures: embedded.backend.erasures,
    audit: embedded.backend.audit,
    archive: embedded.archive,
    archiveExclusive: (work) => embedded.archiver.exclusive(work),
    ...(now && { now }),
  });
}

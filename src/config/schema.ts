// Yagura's configuration: every option, its default and its limits, validated once at start.
import { z } from 'zod';
import { archiveConfigSchema } from '../archive/archive-config.js';
import { s3ExportSourceId, s3ExportSourceSchema } from '../ingest/s3-export/s3-export-config.js';
import { ldapConfigSchema } from '../auth/federation/ldap/ldap-config.js';
import { storeConfigSchema } from '../store/postgres/postgres-config.js';
import { oidcConfigSchema } from '../auth/federation/oidc/provider-config.js';
import { checkRuleNames, retentionPolicyFields } from '../retention/retention-policy.js';

export const configSchema = z
  .object({
    /** Folder of the embedded store and the local archive. */
    dataDir: z.string().min(1).default('./yagura-data'),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(7780),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Admin API key used when no key exists yet; otherwise one is generated and printed once. */
    bootstrapKey: z.string().min(24, 'the bootstrap key must be at least 24 characters').max(512).optional(),
    /** Load the generated demo findings at start (only into an empty store). */
    demo: z.boolean().default(false),
    ingest: z
      .object({
        maxBodyBytes: z.number().int().min(1024).max(1024 * 1024 * 1024).default(10 * 1024 * 1024),
        maxItemsPerRequest: z.number().int().min(1).max(100_000).default(10_000),
        maxBatchFindings: z.number().int().min(1).max(200_000).default(50_000),
      })
      .strict()
      .default({ maxBodyBytes: 10 * 1024 * 1024, maxItemsPerRequest: 10_000, maxBatchFindings: 50_000 }),
    /** Sources Yagura collects from itself (the push source, POST /api/v1/events, needs no settings). */
    sources: z
      .object({
        /** GuardDuty's S3 export, read continuously: through S3 event notifications on SQS, or by listing. */
        s3Export: z
          .array(s3ExportSourceSchema)
          .max(100)
          .default([])
          .superRefine((list, ctx) => {
            const seen = new Set<string>();
            list.forEach((s, i) => {
              const id = s3ExportSourceId(s);
              if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [i], message: `two sources read ${id.slice('s3-export:'.length)}` });
              seen.add(id);
            });
          }),
      })
      .strict()
      .prefault({}),
    /** Rolling archive objects, in the data folder or an S3-compatible bucket (archive-config.ts). */
    archive: archiveConfigSchema.prefault({}),
    /** TLS for the listener; required on a non-loopback address unless insecureHttp acknowledges plain HTTP. */
    tls: z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).strict().optional(),
    /** Acknowledges serving plain HTTP on a non-loopback address (e.g. behind a TLS-terminating proxy). */
    insecureHttp: z.boolean().default(false),
    protection: z
      .object({
        rateWindowSeconds: z.number().int().min(10).max(3600).default(300),
        /** Requests per source IP and per credential per window, as AWS WAF rate-based rules count them. */
        ingestRequestsPerWindow: z.number().int().min(10).max(100_000_000).default(150_000),
        readRequestsPerWindow: z.number().int().min(10).max(100_000_000).default(30_000),
        loginRequestsPerWindow: z.number().int().min(10).max(100_000_000).default(100),
        /** Sources never rate-limited, in CIDR notation. */
        allowCidrs: z.array(z.string().max(64)).max(1000).default([]),
        maxTrackedSources: z.number().int().min(100).max(10_000_000).default(100_000),
        maxConnections: z.number().int().min(1).max(1_000_000).default(2048),
        headersTimeoutSeconds: z.number().int().min(1).max(600).default(15),
        requestTimeoutSeconds: z.number().int().min(1).max(3600).default(60),
        keepAliveTimeoutSeconds: z.number().int().min(1).max(600).default(10),
        maxHeaderBytes: z.number().int().min(1024).max(1024 * 1024).default(16 * 1024),
        /** Above this event-loop delay new requests get 503 (load shedding) so accepted work finishes first. */
        maxEventLoopDelayMs: z.number().int().min(10).max(60_000).default(1000),
      })
      .strict()
      .prefault({}),
    /** Where people reach Yagura's web UI; alert messages link to `${publicUrl}/#/findings/<accountId>/<region>/<id>`. */
    publicUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(),
    /**
     * Accounts written into the account catalog at start (names, tags `key=value` or `key`, and a group, else
     * `unassigned`) when the catalog does not hold them yet; after that the catalog is the source of truth.
     */
    accounts: z
      .record(
        z.string().regex(/^\d{12}$/, 'account IDs are 12 digits'),
        z
          .object({
            name: z.string().min(1).max(200).optional(),
            tags: z.array(z.string().min(1).max(100)).max(50).default([]),
            group: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'a group name is 1 to 64 characters among a-z 0-9 _ . -').optional(),
          })
          .strict(),
      )
      .default({}),
    alerts: z
      .object({
        /** Allow alert receivers on loopback and private addresses (an internal relay); refused by default (SSRF). */
        allowPrivateNetworks: z.boolean().default(false),
        /** Attempts before a delivery is dead-lettered. */
        maxAttempts: z.number().int().min(1).max(50).default(8),
        retryBaseMilliseconds: z.number().int().min(10).max(3_600_000).default(2000),
        retryMaxMilliseconds: z.number().int().min(10).max(86_400_000).default(600_000),
        sendTimeoutSeconds: z.number().int().min(1).max(120).default(10),
        /** Deliveries in flight at once. */
        concurrency: z.number().int().min(1).max(100).default(8),
        /** Sent deliveries and dead letters stay in the delivery log this long. */
        keepDeliveriesDays: z.number().int().min(1).max(3650).default(30),
        /**
         * Several instances on one store: how long a delivery an instance claimed stays with it before another may
         * take it over (the instance died while sending). Longer than a send may take, so a live sender keeps it.
         */
        claimSeconds: z.number().int().min(5).max(3600).default(180),
      })
      .strict()
      .refine((a) => a.claimSeconds > a.sendTimeoutSeconds, { message: 'claimSeconds must be longer than sendTimeoutSeconds', path: ['claimSeconds'] })
      .prefault({}),
    /** Dashboard sessions: the cookie ends after maxAgeSeconds, or sooner after idleSeconds without use. */
    sessions: z
      .object({
        maxAgeSeconds: z.number().int().min(60).max(30 * 24 * 3600).default(12 * 3600),
        idleSeconds: z.number().int().min(60).max(30 * 24 * 3600).default(3600),
      })
      .strict()
      .prefault({}),
    /** The store: the data folder's SQLite file, or PostgreSQL when `url` is set (preview, see docs/scaling.md). */
    store: storeConfigSchema.prefault({}),
    /** LDAP/Active Directory sign-in (MinIO's settings); absent: off. */
    ldap: ldapConfigSchema.optional(),
    /** OpenID Connect providers trusted for sign-in and AssumeRoleWithWebIdentity. */
    oidc: oidcConfigSchema,
    /** Temporary credentials issued by the STS endpoint, and the SigV4 scope signed requests must name. */
    sts: z
      .object({
        defaultDurationSeconds: z.number().int().min(900).max(129_600).default(3600),
        maxDurationSeconds: z.number().int().min(900).max(129_600).default(43_200),
        /** The region in a SigV4 credential scope (`…/REGION/yagura/aws4_request`). */
        sigv4Region: z.string().regex(/^[a-z0-9-]{1,32}$/, 'a region is lower-case letters, digits and -').default('us-east-1'),
      })
      .strict()
      .prefault({}),
    /**
     * How long findings stay in the store and the archive (docs/retention.md). Without rules or a default nothing is
     * ever removed. A policy put through the API replaces `default` and `rules`.
     */
    retention: z
      .object({
        ...retentionPolicyFields,
        /** Pause between the end of one retention pass and the start of the next. */
        intervalSeconds: z.number().int().min(10).max(7 * 86_400).default(3600),
        /** Findings removed per transaction: each holds the writer for a few milliseconds per finding. */
        batchFindings: z.number().int().min(1).max(10_000).default(25),
        /** Least pause between two batches (at least as long as the last batch took), so ingest and searches go first. */
        pauseMilliseconds: z.number().int().min(0).max(60_000).default(50),
      })
      .strict()
      .superRefine(checkRuleNames)
      .prefault({}),
    search: z
      .object({
        maxPageSize: z.number().int().min(1).max(10_000).default(1000),
        /** Threads that run searches and aggregations, so a long query never stalls ingest or other requests. */
        readerThreads: z.number().int().min(0).max(64).default(2),
        /** A search or aggregation running longer is stopped with 503 QUERY_TIMEOUT. */
        queryTimeoutSeconds: z.number().int().min(1).max(3600).default(30),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = Readonly<z.infer<typeof configSchema>>;

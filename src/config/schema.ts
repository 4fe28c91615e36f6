// Yagura's configuration: every option, its default and its limits, validated once at start.
import { z } from 'zod';

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
    search: z
      .object({
        maxPageSize: z.number().int().min(1).max(10_000).default(1000),
      })
      .strict()
      .default({ maxPageSize: 1000 }),
  })
  .strict();

export type Config = Readonly<z.infer<typeof configSchema>>;

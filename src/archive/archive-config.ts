// The archive's settings: when rolling objects are sealed, and an S3-compatible bucket instead of the data folder.
import { z } from 'zod';
import { ARCHIVE_URL_HINT, parseArchiveUrl } from './s3/archive-url.js';

/** Settings that only mean something for a bucket, and are refused without `url` rather than silently ignored. */
const BUCKET_SETTINGS = ['endpoint', 'forcePathStyle', 'region', 'sse', 'sseKmsKeyId'] as const;

/**
 * Rolling archive objects: a partition's object is sealed and written once open rollSeconds or holding about
 * rollBytes compressed (and at shutdown); GuardDuty's own export rolls every 5 minutes. Without `url` the archive is
 * the data folder's `archive/`; with it, a bucket reached with the AWS SDK's default credential chain.
 */
export const archiveConfigSchema = z
  .object({
    rollSeconds: z.number().int().min(1).max(86_400).default(300),
    rollBytes: z.number().int().min(64 * 1024).max(1024 * 1024 * 1024).default(16 * 1024 * 1024),
    /** `s3://bucket/prefix`: the export layout is written under the prefix. */
    url: z
      .string()
      .max(600)
      .refine((url) => parseArchiveUrl(url) !== undefined, ARCHIVE_URL_HINT)
      .optional(),
    /** An S3-compatible service's address (MinIO, Ceph, R2…); AWS's own endpoint when absent. */
    endpoint: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).max(2048).optional(),
    /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (most S3-compatible services). */
    forcePathStyle: z.boolean().optional(),
    /** The bucket's region; else the SDK's (AWS_REGION, the profile), else `us-east-1` with an endpoint. */
    region: z.string().regex(/^[a-z0-9-]{1,32}$/, 'a region is lower-case letters, digits and -').optional(),
    /** Server-side encryption asked for on every object (a bucket's default encryption applies without it). */
    sse: z.enum(['AES256', 'aws:kms']).optional(),
    /** The KMS key for `sse: aws:kms` (id, ARN or alias); the account's `aws/s3` key when absent. */
    sseKmsKeyId: z.string().min(1).max(2048).optional(),
  })
  .strict()
  .superRefine((archive, ctx) => {
    if (archive.url === undefined) {
      for (const setting of BUCKET_SETTINGS) {
        if (archive[setting] !== undefined) ctx.addIssue({ code: 'custom', path: [setting], message: 'applies only to an S3 archive, and archive.url is not set' });
      }
    }
    if (archive.sseKmsKeyId !== undefined && archive.sse !== 'aws:kms') {
      ctx.addIssue({ code: 'custom', path: ['sseKmsKeyId'], message: 'needs archive.sse set to aws:kms' });
    }
  });

export type ArchiveConfig = z.infer<typeof archiveConfigSchema>;

/** A setting that passed the schema but cannot be used (no region anywhere); the configuration loader's code. */
export class ArchiveConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
}

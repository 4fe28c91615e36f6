// Settings of one continuous S3-export source (`sources.s3Export[]`), checked once at start.
import { z } from 'zod';

const REGION = z.string().regex(/^[a-z0-9-]{1,32}$/, 'a region is lower-case letters, digits and -');
/** Bucket names as S3 allows them for new buckets (see archive/s3/archive-url.ts). */
const BUCKET = /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const s3ExportSourceSchema = z
  .object({
    bucket: z.string().regex(BUCKET, 'a bucket name is 3 to 63 lower-case letters, digits, dots and hyphens'),
    /** The export's prefix as configured in GuardDuty (objects are `<prefix>/AWSLogs/…`); `''` for none. */
    prefix: z
      .string()
      .max(512)
      .regex(/^([A-Za-z0-9!_.*'()=-]+(\/[A-Za-z0-9!_.*'()=-]+)*\/?)?$/, 'a prefix is key segments separated by /')
      .transform((p) => (p === '' || p.endsWith('/') ? p : `${p}/`))
      .default(''),
    /** The bucket's region (and the queue's, unless the queue URL says otherwise). */
    region: REGION,
    /** A role to assume (with the default credential chain's credentials) for reading the bucket and the queue. */
    roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN').optional(),
    /** The role's external ID, as its trust policy requires (sts:ExternalId). */
    externalId: z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'an external ID is 2 to 1224 of A-Z a-z 0-9 + = , . @ : / - _').optional(),
    /** An SQS queue notified of new objects (S3 event notifications); without it the bucket is listed. */
    queueUrl: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).max(2048).optional(),
    /** An S3-compatible service's address; else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, else AWS's own. */
    endpoint: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).max(2048).optional(),
    /** Path-style addressing (most S3-compatible services). */
    forcePathStyle: z.boolean().optional(),
    /**
     * A delegated administrator's account: objects under its `AWSLogs/<account>/` may hold findings of other (member)
     * accounts. Elsewhere a finding whose account is not the one its key names is refused (ACCOUNT_MISMATCH).
     */
    administratorAccountId: z.string().regex(/^\d{12}$/, 'account IDs are 12 digits').optional(),
    /** Pause between listings of the bucket (no queue). */
    intervalSeconds: z.number().int().min(1).max(86_400).default(60),
    /** Days before the newest day read that each listing looks at again, for objects that arrive late. */
    lookBackDays: z.number().int().min(0).max(30).default(2),
    /** Days back from today that the first listing of an account and region reads. */
    backfillDays: z.number().int().min(0).max(3650).default(90),
    /** How long a received message stays invisible; extended while its objects are read. */
    visibilityTimeoutSeconds: z.number().int().min(30).max(43_200).default(300),
    /** Receives after which a message that still fails is parked with its reason and deleted from the queue. */
    maxReceiveCount: z.number().int().min(1).max(1000).default(5),
    /** An object inflating to more than this is refused (OBJECT_TOO_LARGE); GuardDuty's are kilobytes. */
    maxObjectBytes: z.number().int().min(1024).max(4 * 1024 * 1024 * 1024).default(256 * 1024 * 1024),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.externalId !== undefined && s.roleArn === undefined) ctx.addIssue({ code: 'custom', path: ['externalId'], message: 'needs roleArn' });
  });

export type S3ExportSourceConfig = z.infer<typeof s3ExportSourceSchema>;

/** The source's id: unique among the configured sources and the same across restarts (its checkpoint's name). */
export function s3ExportSourceId(config: Pick<S3ExportSourceConfig, 'bucket' | 'prefix'>): string {
  return `s3-export:${config.bucket}/${config.prefix}`;
}

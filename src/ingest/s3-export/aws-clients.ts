// The AWS clients of an S3-export source: the SDK's default credential chain, optionally a role assumed with an
// external ID, and endpoints from the source or the SDK's own AWS_ENDPOINT_URL* variables.
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';

/** A connection that does not open within this time is a failed attempt (see archive/s3/open-s3-archive.ts). */
const CONNECT_TIMEOUT_MS = 5_000;
/** Longer than SQS's longest long poll (20 s), so a poll is never cut off. */
const SOCKET_TIMEOUT_MS = 60_000;

export interface ClientSettings {
  readonly region: string;
  readonly roleArn?: string;
  readonly externalId?: string;
  /** S3's endpoint; without it the SDK reads AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL. */
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
}

export interface SourceClients {
  readonly s3: S3Client;
  /** Present when a queue URL is given; its endpoint follows the queue URL (or AWS_ENDPOINT_URL_SQS). */
  readonly sqs?: SQSClient;
  destroy(): void;
}

/**
 * Credentials: the default chain (environment, profile, SSO, web identity, container or instance role); with a
 * role, those credentials assume it (sts:AssumeRole with the external ID), refreshed before they expire.
 */
function credentialsOf(settings: ClientSettings): ReturnType<typeof fromTemporaryCredentials> | undefined {
  if (settings.roleArn === undefined) return undefined;
  return fromTemporaryCredentials({
    params: { RoleArn: settings.roleArn, RoleSessionName: 'yagura', ...(settings.externalId !== undefined && { ExternalId: settings.externalId }) },
    clientConfig: { region: settings.region },
  });
}

export function buildClients(settings: ClientSettings, queueUrl?: string): SourceClients {
  const credentials = credentialsOf(settings);
  const common = {
    region: settings.region,
    ...(credentials && { credentials }),
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, socketTimeout: SOCKET_TIMEOUT_MS },
  };
  const s3 = new S3Client({
    ...common,
    ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
    ...(settings.forcePathStyle !== undefined && { forcePathStyle: settings.forcePathStyle }),
  });
  const sqs = queueUrl === undefined ? undefined : new SQSClient(common);
  return {
    s3,
    ...(sqs && { sqs }),
    destroy(): void {
      s3.destroy();
      sqs?.destroy();
    },
  };
}

// An S3-compatible server (s3rver) on a free loopback port with a temporary folder, for tests with the real AWS SDK.
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The part of s3rver's API the tests use (it ships no types). */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

/** s3rver's own account: requests signed with anything else are refused, so signing is checked for real. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3Server {
  /** `http://127.0.0.1:<port>`, the same across stop and start. */
  readonly endpoint: string;
  readonly bucket: string;
  /** A client of the test's own, to look at the bucket. */
  readonly client: S3Client;
  /** A new client for the code under test (path-style, s3rver's credentials, no retries unless asked). */
  newClient(options?: { maxAttempts?: number }): S3Client;
  /** Keys in the bucket under a prefix, sorted. */
  keys(prefix?: string): Promise<string[]>;
  read(key: string): Promise<Buffer>;
  /** The bucket becomes unreachable (connections refused); its objects stay in the folder. */
  stop(): Promise<void>;
  /** Back on the same port with the same objects. */
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  close(): Promise<void>;
}

export async function startS3Server(bucket = 'yagura-archive'): Promise<S3Server> {
  const directory = await mkdtemp(path.join(tmpdir(), 'yagura-s3rver-'));
  let port = 0;
  let running: S3rverInstance | undefined;
  const start = async (): Promise<void> => {
    const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
    const address = await server.run();
    port = address.port;
    running = server;
  };
  const stop = async (): Promise<void> => {
    const server = running;
    running = undefined;
    if (!server) return;
    // Keep-alive sockets of the clients would otherwise keep the bucket reachable.
    server.httpServer?.closeAllConnections();
    await server.close();
  };
  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  const newClient = (options: { maxAttempts?: number } = {}): S3Client =>
    new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS, maxAttempts: options.maxAttempts ?? 1 });
  const client = newClient({ maxAttempts: 3 });
  return {
    endpoint,
    bucket,
    client,
    newClient,
    async keys(prefix = ''): Promise<string[]> {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token !== undefined && { ContinuationToken: token }) }));
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys.sort();
    },
    async read(key: string): Promise<Buffer> {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await object.Body!.transformToByteArray());
    },
    stop,
    start,
    async close(): Promise<void> {
      client.destroy();
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

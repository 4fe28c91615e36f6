// Archive in an S3-compatible bucket: the same keys and the same gzip bytes as the local archive, under a prefix.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ArchiveObject } from '../archive.js';
import { archiveKey, parseArchiveKey } from '../archive.js';
import { encodeObjects, gzipMember, memberInputs } from '../encoding.js';
import type { ArchiveRef, StoredArchive } from '../stored-objects.js';

/** S3's smallest part of a multipart upload (all but the last). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** S3's most parts in one multipart upload. */
const MAX_PARTS = 10_000;
/** Objects of one `write` uploaded at once. */
const PARALLEL = 8;
/**
 * The object is a gzip file that its readers (gunzip, DuckDB, Athena, `yagura import`) decompress themselves.
 * `Content-Encoding: gzip` would be wrong: HTTP clients would inflate it in transit, and a download named
 * `.jsonl.gz` would hold plain text.
 */
const CONTENT_TYPE = 'application/gzip';

/** Server-side encryption asked for on every object. */
export interface S3Encryption {
  readonly algorithm: 'AES256' | 'aws:kms';
  /** The KMS key (id, ARN or alias) for `aws:kms`; the account's `aws/s3` key when absent. */
  readonly kmsKeyId?: string;
}

export interface S3ArchiveOptions {
  /** The archive's client, closed with it. */
  readonly client: S3Client;
  readonly bucket: string;
  /** Written before every key: `''`, or segments each ending with `/`. */
  readonly prefix?: string;
  readonly encryption?: S3Encryption;
  /**
   * Bytes of each part of a multipart upload, and the size from which an object is uploaded in parts; at least
   * S3's 5 MiB. Default 8 MiB: the most a `put` holds in memory is about one part.
   */
  readonly partBytes?: number;
}

/** A write to the bucket that failed; the sentence names the object and the service's reason. */
export class S3ArchiveError extends Error {
  readonly code = 'ARCHIVE_WRITE_FAILED';
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
  }
}

/**
 * Writes each object with one PutObject (an object larger than a part: one multipart upload), so a reader sees an
 * object whole or not at all, and writing it again under its fixed name replaces it. Failures are thrown for the
 * caller to retry (the archiver keeps the object in the store's outbox); the SDK itself retries each request a few
 * times. Compression runs on libuv's pool, from this thread: rolling objects arrive a page at a time.
 */
export class S3Archive implements StoredArchive {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly encryption: S3Encryption | undefined;
  private readonly partBytes: number;
  /** Whether parts carry checksums: the SDK's `requestChecksumCalculation`, read once. */
  private checksums: Promise<boolean> | undefined;

  constructor(options: S3ArchiveOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.encryption = options.encryption;
    this.partBytes = options.partBytes ?? 8 * 1024 * 1024;
    if (this.partBytes < MIN_PART_BYTES) throw new RangeError(`partBytes must be at least ${MIN_PART_BYTES} (S3's smallest part)`);
  }

  /** The object's key: the prefix and the export layout; refuses a key that readers could resolve elsewhere. */
  keyOf(object: Pick<ArchiveObject, 'accountId' | 'region' | 'day' | 'name'>): string {
    const key = archiveKey(object);
    if (key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
      throw new S3ArchiveError(`archive key is not a plain path: ${key}`);
    }
    return this.prefix + key;
  }

  async write(objects: readonly ArchiveObject[], ready: Promise<void> = Promise.resolve()): Promise<number> {
    const keys = objects.map((o) => this.keyOf(o));
    const { bytes, ends } = encodeObjects(objects);
    // Compressed beside the store's flush; nothing reaches the bucket before the commit is durable.
    const compressing = Promise.all(keys.map((_, i) => gzipMember(bytes.subarray(ends[i - 1] ?? 0, ends[i]!))));
    const [bodies] = await Promise.all([compressing, ready]);
    let next = 0;
    const uploader = async (): Promise<void> => {
      while (next < keys.length) {
        const i = next++;
        await this.putObject(keys[i]!, bodies[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, keys.length) }, uploader));
    return bodies.reduce((n, body) => n + body.byteLength, 0);
  }

  async put(object: Omit<ArchiveObject, 'lines'>, parts: AsyncIterable<ReadonlyArray<string | Uint8Array>>): Promise<number> {
    const key = this.keyOf(object);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let written = 0;
    let upload: MultipartUpload | undefined;
    try {
      for await (const input of memberInputs(parts)) {
        const member = await gzipMember(input);
        pending.push(member);
        pendingBytes += member.byteLength;
        written += member.byteLength;
        if (pendingBytes < this.partBytes) continue;
        // A part boundary may fall anywhere in the gzip stream: S3 joins the parts' bytes as they are.
        upload ??= await this.startUpload(key);
        await this.uploadPart(upload, Buffer.concat(pending, pendingBytes));
        pending = [];
        pendingBytes = 0;
      }
      const rest = Buffer.concat(pending, pendingBytes);
      if (upload === undefined) {
        await this.putObject(key, rest);
        return written;
      }
      if (rest.byteLength > 0) await this.uploadPart(upload, rest);
      await this.completeUpload(upload);
      return written;
    } catch (error) {
      // Parts of an upload never completed are billed until aborted (or a lifecycle rule removes them).
      const id = upload?.id;
      if (id !== undefined) await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: id })).catch(() => undefined);
      throw error;
    }
  }

  async read(object: Omit<ArchiveObject, 'lines'>): Promise<AsyncIterable<Uint8Array> | undefined> {
    const key = this.keyOf(object);
    try {
      const got = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return got.Body as AsyncIterable<Uint8Array> | undefined;
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return undefined;
      throw new S3ArchiveError(`reading s3://${this.bucket}/${key} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Deletes the object's current version. A bucket that keeps versions keeps the older ones until its lifecycle
   * expires them (docs/erasure.md).
   */
  async remove(object: Omit<ArchiveObject, 'lines'>): Promise<void> {
    const key = this.keyOf(object);
    await this.attempt(key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  async *list(): AsyncIterable<ArchiveRef> {
    const prefix = `${this.prefix}AWSLogs/`;
    for (let token: string | undefined; ; ) {
      const page = await this.attempt(prefix, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token !== undefined && { ContinuationToken: token }) })),
      );
      for (const item of page.Contents ?? []) {
        const object = item.Key === undefined ? undefined : parseArchiveKey(item.Key.slice(this.prefix.length));
        if (object !== undefined) yield object;
      }
      if (page.IsTruncated !== true || page.NextContinuationToken === undefined) return;
      token = page.NextContinuationToken;
    }
  }

  async *objectsOf(accountId: string): AsyncIterable<Omit<ArchiveObject, 'lines'>> {
    if (!/^[A-Za-z0-9-]+$/.test(accountId)) return;
    const prefix = `${this.prefix}AWSLogs/${accountId}/`;
    for (let token: string | undefined; ; ) {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token !== undefined && { ContinuationToken: token }) }));
      for (const item of page.Contents ?? []) {
        const object = item.Key === undefined ? undefined : parseArchiveKey(item.Key.slice(this.prefix.length));
        if (object !== undefined) yield object;
      }
      if (page.IsTruncated !== true || page.NextContinuationToken === undefined) return;
      token = page.NextContinuationToken;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private encryptionParams(): { ServerSideEncryption?: 'AES256' | 'aws:kms'; SSEKMSKeyId?: string } {
    if (this.encryption === undefined) return {};
    return {
      ServerSideEncryption: this.encryption.algorithm,
      ...(this.encryption.kmsKeyId !== undefined && { SSEKMSKeyId: this.encryption.kmsKeyId }),
    };
  }

  private async putObject(key: string, body: Buffer): Promise<void> {
    await this.attempt(key, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.byteLength, ContentType: CONTENT_TYPE, ...this.encryptionParams() }),
      ),
    );
  }

  private async startUpload(key: string): Promise<MultipartUpload> {
    const checksums = await this.partChecksums();
    const created = await this.attempt(key, () =>
      this.client.send(
        new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        ContentType: CONTENT_TYPE,
        ...this.encryptionParams(),
        // S3 checks a part's checksum against the algorithm the upload was created with: both or neither.
        ...(checksums && { ChecksumAlgorithm: 'CRC32' }),
        }),
      ),
    );
    if (created.UploadId === undefined) throw new S3ArchiveError(`starting the upload of s3://${this.bucket}/${key} failed: the service returned no upload id`);
    return { key, id: created.UploadId, parts: [], checksums };
  }

  private async uploadPart(upload: MultipartUpload, body: Buffer): Promise<void> {
    const number = upload.parts.length + 1;
    if (number > MAX_PARTS) throw new S3ArchiveError(`s3://${this.bucket}/${upload.key} would need more than ${MAX_PARTS} parts of ${this.partBytes} bytes`);
    const sent = await this.attempt(upload.key, () =>
      this.client.send(
        new UploadPartCommand({
        Bucket: this.bucket,
        Key: upload.key,
        UploadId: upload.id,
        PartNumber: number,
        Body: body,
        ContentLength: body.byteLength,
        ...(upload.checksums && { ChecksumAlgorithm: 'CRC32' }),
        }),
      ),
    );
    upload.parts.push({
      PartNumber: number,
      ETag: sent.ETag,
      ...(sent.ChecksumCRC32 !== undefined && { ChecksumCRC32: sent.ChecksumCRC32 }),
    });
  }

  private async completeUpload(upload: MultipartUpload): Promise<void> {
    await this.attempt(upload.key, () =>
      this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: upload.key, UploadId: upload.id, MultipartUpload: { Parts: upload.parts } }),
      ),
    );
  }

  private partChecksums(): Promise<boolean> {
    this.checksums ??= Promise.resolve(this.client.config.requestChecksumCalculation()).then((when) => when === 'WHEN_SUPPORTED');
    return this.checksums;
  }

  /** Runs one request; a failure becomes one sentence naming the object, with the SDK's error as its cause. */
  private async attempt<T>(key: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const e = error as Error & { code?: string };
      const reason = e.name !== 'Error' ? `${e.name}: ${e.message}` : e.code !== undefined ? `${e.code}: ${e.message}` : e.message;
      throw new S3ArchiveError(`writing s3://${this.bucket}/${key} failed: ${reason}`, { cause: error });
    }
  }
}

interface MultipartUpload {
  readonly key: string;
  readonly id: string;
  readonly parts: CompletedPart[];
  readonly checksums: boolean;
}

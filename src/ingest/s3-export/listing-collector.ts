// Without a queue: lists the export's date-partitioned layout incrementally, per account and region, from the
// newest day read (the stored checkpoint) less a look-back for objects that arrive late; never the whole bucket.
import { ListObjectsCommand, type ListObjectsCommandOutput } from '@aws-sdk/client-s3';
import type { SourceStateStore } from '../source-state-store.js';
import { collectObject, report, type CollectContext } from './collect-object.js';
import { dayBefore, parseExportKey, partitionPrefix, shiftDay } from './export-key.js';
import { awsError } from './source-errors.js';

export interface ListingSettings {
  readonly prefix: string;
  readonly lookBackDays: number;
  readonly backfillDays: number;
}

/** What one pass did (tests and the log read it). */
export interface ListingPass {
  readonly partitions: number;
  /** Objects listed (in the days looked at). */
  readonly listed: number;
  /** Objects read: not marked yet, or rewritten since. */
  readonly read: number;
}

const ACCOUNT = /^\d{12}$/;
/** Keys outside the layout remembered as reported; past this the oldest are forgotten (and reported again). */
const MAX_REPORTED = 10_000;
const REGION = /^[a-z0-9-]{1,32}$/;

export class ListingCollector {
  /** Keys outside the layout already reported: each is reported once per run, not at every pass. */
  private readonly reported = new Set<string>();

  constructor(
    private readonly ctx: CollectContext,
    private readonly state: SourceStateStore,
    private readonly settings: ListingSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** One pass over every account and region under the prefix; a failure to list ends it `failing`. */
  async pass(): Promise<ListingPass> {
    const { health } = this.ctx;
    health.beginPass();
    const totals = { partitions: 0, listed: 0, read: 0 };
    try {
      const partitions = await this.discover();
      const checkpoints = await this.state.checkpoints(this.ctx.sourceId);
      for (const [accountId, region] of partitions) {
        if (this.ctx.signal?.aborted) break;
        totals.partitions++;
        const done = await this.partition(accountId, region, checkpoints.get(`${accountId}/${region}`));
        totals.listed += done.listed;
        totals.read += done.read;
      }
    } catch (error) {
      if (!this.ctx.signal?.aborted) report(this.ctx, awsError(error, `listing s3://${this.ctx.bucket}/${this.settings.prefix}`));
    }
    health.endPass();
    return totals;
  }

  /** Accounts under `AWSLogs/`, then the regions under each account's `GuardDuty/` (other services' logs are left alone). */
  private async discover(): Promise<Array<[string, string]>> {
    const base = `${this.settings.prefix}AWSLogs/`;
    const found: Array<[string, string]> = [];
    for (const account of await this.segments(base)) {
      if (!ACCOUNT.test(account)) {
        this.outside(`${base}${account}/`);
        continue;
      }
      const regionsBase = `${base}${account}/GuardDuty/`;
      for (const region of await this.segments(regionsBase)) {
        if (REGION.test(region)) found.push([account, region]);
        else this.outside(`${regionsBase}${region}/`);
      }
    }
    return found;
  }

  /**
   * The first path segments of the keys under `prefix` (the "folders" there), one request each: the first key
   * after the previous folder. Delimiter listings would be fewer requests, but some S3-compatible servers (s3rver
   * among them) leave out the common prefixes of keys nested deeper than one level, and this works on all of them.
   * An object lying directly under `prefix` is outside the layout.
   */
  private async segments(prefix: string): Promise<string[]> {
    const segments: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.list({ Prefix: prefix, MaxKeys: 1, ...(after !== undefined && { after }) });
      const key = page.Contents?.[0]?.Key;
      if (key === undefined) return segments;
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash === -1) {
        this.outside(key);
        after = key;
        continue;
      }
      const segment = rest.slice(0, slash);
      segments.push(segment);
      // Past every key of this folder: U+10FFFF is the greatest character a key can hold.
      after = `${prefix}${segment}/\u{10FFFF}`;
    }
  }

  /**
   * One page of keys after `after`, in key order. ListObjects (version 1) with a marker rather than version 2's
   * continuation tokens: a page's last key is the next page's marker, so paging is the same request as starting
   * after a day, and servers that cannot make continuation tokens (s3rver on OpenSSL 3) page too.
   */
  private list(params: { Prefix: string; MaxKeys?: number; after?: string }): Promise<ListObjectsCommandOutput> {
    const { after, ...rest } = params;
    return this.ctx.s3.send(new ListObjectsCommand({ Bucket: this.ctx.bucket, ...rest, ...(after !== undefined && { Marker: after }) }), {
      ...(this.ctx.signal && { abortSignal: this.ctx.signal }),
    });
  }

  /**
   * Lists the partition's keys from `fromDay` on (keys sort by day: starting after `fromDay` skips every earlier day), reads
   * those not marked with the same ETag, marks each once its findings are durable (or its content refused), and
   * forgets marks behind the look-back of the newest day.
   */
  private async partition(accountId: string, region: string, checkpoint: string | undefined): Promise<{ listed: number; read: number }> {
    const { sourceId } = this.ctx;
    const name = `${accountId}/${region}`;
    const base = partitionPrefix(this.settings.prefix, accountId, region);
    const fromDay = checkpoint === undefined ? dayBefore(this.now(), this.settings.backfillDays) : shiftDay(checkpoint, this.settings.lookBackDays);
    const marked = await this.state.marked(sourceId, name, fromDay);
    let newest = checkpoint;
    let listed = 0;
    let read = 0;
    let after = `${base}${fromDay}`;
    for (;;) {
      const page = await this.list({ Prefix: base, after });
      const contents = page.Contents ?? [];
      for (const object of contents) {
        if (this.ctx.signal?.aborted) return { listed, read };
        const key = object.Key;
        if (key === undefined) continue;
        after = key;
        listed++;
        const partition = parseExportKey(this.settings.prefix, key);
        if (partition === undefined || partition.accountId !== accountId || partition.region !== region) {
          this.outside(key);
          continue;
        }
        const etag = object.ETag ?? '';
        if (marked.get(key) === etag) continue;
        read++;
        const outcome = await collectObject(this.ctx, key, partition);
        if (outcome.kind === 'retry') continue;
        await this.state.mark(sourceId, { key, partition: name, day: partition.day, etag, outcome: outcome.kind === 'stored' ? 'stored' : outcome.error.code }, this.now());
        if (newest === undefined || partition.day > newest) newest = partition.day;
      }
      if (page.IsTruncated !== true || contents.length === 0) break;
    }
    if (newest !== undefined) await this.state.prune(sourceId, name, shiftDay(newest, this.settings.lookBackDays));
    return { listed, read };
  }

  private outside(key: string): void {
    if (this.reported.has(key)) return;
    if (this.reported.size >= MAX_REPORTED) this.reported.delete(this.reported.values().next().value!);
    this.reported.add(key);
    report(this.ctx, { code: 'KEY_OUTSIDE_LAYOUT', message: `s3://${this.ctx.bucket}/${key} is not in GuardDuty's export layout (AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<object>); it was not read`, permanent: true }, key);
  }
}

// Where the query catalogue's fields live in SQLite: columns of `findings f`, of `finding_remote_ips`, and
// JSON paths into the document as json_tree reports them.
import type { CatalogColumn, RemoteColumn } from '../../query/fields.js';

/** The column of `findings f` holding each catalogue field. */
export const COLUMN_SQL: Readonly<Record<CatalogColumn, string>> = {
  id: 'id',
  accountId: 'account_id',
  region: 'region',
  type: 'type',
  arn: 'arn',
  title: 'title',
  severity: 'severity',
  band: 'band',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  count: 'count',
  archived: 'archived',
  sample: 'sample',
  resourceType: 'resource_type',
  actionType: 'action_type',
  resourceId: 'resource_id',
  firstSeen: 'first_seen',
  lastSeen: 'last_seen',
  versions: 'versions',
};

/** The column of `finding_remote_ips` holding each remote party field. */
export const REMOTE_SQL: Readonly<Record<RemoteColumn, 'ip' | 'country' | 'org'>> = { remoteIp: 'ip', remoteCountry: 'country', remoteOrg: 'org' };

/**
 * A document path as json_tree walks it: `root` is the JSON path of its first segment (the subtree to walk) and
 * `key` the full key json_tree reports for it once array indexes are removed.
 */
export interface DocumentPath {
  readonly root: string;
  readonly key: string;
}

export function documentPath(segments: readonly string[]): DocumentPath {
  return { root: `$${keySegment(segments[0]!)}`, key: `$${segments.map(keySegment).join('')}` };
}

/**
 * One key of a path the way SQLite's json_tree prints it in `fullkey`: bare when it is an ASCII letter
 * followed by ASCII letters and digits, otherwise double-quoted. KQL field names never contain `"` or `\`.
 */
function keySegment(segment: string): string {
  return /^[A-Za-z][A-Za-z0-9]*$/.test(segment) ? `.${segment}` : `."${segment}"`;
}

/** Removes the `[N]` array indexes from a json_tree `fullkey`, leaving quoted keys such as `."a[0]"` intact. */
export function stripArrayIndexes(fullkey: string): string {
  if (!fullkey.includes('[')) return fullkey;
  return fullkey.replace(/"(?:[^"\\]|\\.)*"|\[\d+\]/g, (m) => (m.startsWith('"') ? m : ''));
}

// The KQL field catalog for SQLite: names that map to columns of `findings f`, and paths into the JSON document.

/** How a column's values are typed in a query. */
export type FieldType = 'text' | 'number' | 'time' | 'boolean' | 'band';

export type SqliteField =
  /** A column of `findings f`. */
  | { readonly kind: 'column'; readonly name: string; readonly column: string; readonly type: FieldType }
  /** A column of `finding_remote_ips`, matched when any remote party of the finding matches. */
  | { readonly kind: 'remote'; readonly name: string; readonly column: 'ip' | 'country' | 'org' }
  /**
   * Any other dotted path into `f.doc`. `root` is the JSON path of its first segment (the subtree
   * `json_tree` walks) and `key` the full key `json_tree` reports for it once array indexes are removed.
   */
  | { readonly kind: 'json'; readonly name: string; readonly root: string; readonly key: string };

const COLUMNS: ReadonlyArray<readonly [names: readonly string[], column: string, type: FieldType]> = [
  [['id'], 'id', 'text'],
  [['accountId'], 'account_id', 'text'],
  [['region'], 'region', 'text'],
  [['type'], 'type', 'text'],
  [['arn'], 'arn', 'text'],
  [['title'], 'title', 'text'],
  [['severity'], 'severity', 'number'],
  [['band', 'severityBand'], 'band', 'band'],
  [['createdAt'], 'created_at', 'time'],
  [['updatedAt'], 'updated_at', 'time'],
  [['service.count', 'count'], 'count', 'number'],
  [['service.archived', 'archived'], 'archived', 'boolean'],
  [['service.additionalInfo.sample', 'sample'], 'sample', 'boolean'],
  [['resource.resourceType', 'resourceType'], 'resource_type', 'text'],
  [['service.action.actionType', 'actionType'], 'action_type', 'text'],
  [['resourceId'], 'resource_id', 'text'],
  [['firstSeen'], 'first_seen', 'time'],
  [['lastSeen'], 'last_seen', 'time'],
  [['versions'], 'versions', 'number'],
];

const REMOTE: ReadonlyArray<readonly [name: string, column: 'ip' | 'country' | 'org']> = [
  ['remoteIp', 'ip'],
  ['remoteCountry', 'country'],
  ['remoteOrg', 'org'],
];

const CATALOG: ReadonlyMap<string, SqliteField> = new Map<string, SqliteField>([
  ...COLUMNS.flatMap(([names, column, type]) => names.map((name) => [name, { kind: 'column', name, column, type }] as const)),
  ...REMOTE.map(([name, column]) => [name, { kind: 'remote', name, column }] as const),
]);

/** Field names of the catalog, aliases included, in catalog order. */
export const CATALOG_FIELDS: readonly string[] = [...CATALOG.keys()];

/**
 * Resolves a KQL field name (case-sensitive, as GuardDuty spells it). Names outside the catalog are
 * paths into the finding document; the parser guarantees they are dot-separated non-empty segments.
 */
export function resolveField(name: string): SqliteField {
  const known = CATALOG.get(name);
  if (known !== undefined) return known;
  const segments = name.split('.');
  return { kind: 'json', name, root: `$${keySegment(segments[0]!)}`, key: `$${segments.map(keySegment).join('')}` };
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

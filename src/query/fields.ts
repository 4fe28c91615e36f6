// The KQL field catalogue: the names (aliases included) of the fields every store holds as columns, and how
// their values are typed; any other dotted name is a path into the finding document.

/** How a catalogue field's values are typed in a query. */
export type FieldType = 'text' | 'number' | 'time' | 'boolean' | 'band';

/** Catalogue fields by their canonical name (the short alias where there is one). */
export type CatalogColumn =
  | 'id' | 'accountId' | 'region' | 'type' | 'arn' | 'title' | 'severity' | 'band' | 'createdAt' | 'updatedAt' | 'count'
  | 'archived' | 'sample' | 'resourceType' | 'actionType' | 'resourceId' | 'firstSeen' | 'lastSeen' | 'versions';

/** Fields of a finding's remote parties: a finding matches when any of its parties does. */
export type RemoteColumn = 'remoteIp' | 'remoteCountry' | 'remoteOrg';

export type QueryField =
  /** A catalogue field; `name` is as the user spelled it, `column` its canonical name. */
  | { readonly kind: 'column'; readonly name: string; readonly column: CatalogColumn; readonly type: FieldType }
  /** A remote party's IP, country or organisation (text). */
  | { readonly kind: 'remote'; readonly name: string; readonly column: RemoteColumn }
  /** Any other dotted path into the finding document, split into its segments. */
  | { readonly kind: 'document'; readonly name: string; readonly segments: readonly string[] };

const COLUMNS: ReadonlyArray<readonly [names: readonly string[], column: CatalogColumn, type: FieldType]> = [
  [['id'], 'id', 'text'],
  [['accountId'], 'accountId', 'text'],
  [['region'], 'region', 'text'],
  [['type'], 'type', 'text'],
  [['arn'], 'arn', 'text'],
  [['title'], 'title', 'text'],
  [['severity'], 'severity', 'number'],
  [['band', 'severityBand'], 'band', 'band'],
  [['createdAt'], 'createdAt', 'time'],
  [['updatedAt'], 'updatedAt', 'time'],
  [['service.count', 'count'], 'count', 'number'],
  [['service.archived', 'archived'], 'archived', 'boolean'],
  [['service.additionalInfo.sample', 'sample'], 'sample', 'boolean'],
  [['resource.resourceType', 'resourceType'], 'resourceType', 'text'],
  [['service.action.actionType', 'actionType'], 'actionType', 'text'],
  [['resourceId'], 'resourceId', 'text'],
  [['firstSeen'], 'firstSeen', 'time'],
  [['lastSeen'], 'lastSeen', 'time'],
  [['versions'], 'versions', 'number'],
];

const REMOTE: readonly RemoteColumn[] = ['remoteIp', 'remoteCountry', 'remoteOrg'];

const CATALOG: ReadonlyMap<string, QueryField> = new Map<string, QueryField>([
  ...COLUMNS.flatMap(([names, column, type]) => names.map((name) => [name, { kind: 'column', name, column, type }] as const)),
  ...REMOTE.map((name) => [name, { kind: 'remote', name, column: name }] as const),
]);

/** Field names of the catalogue, aliases included, in catalogue order. */
export const CATALOG_FIELDS: readonly string[] = [...CATALOG.keys()];

/**
 * Resolves a KQL field name (case-sensitive, as GuardDuty spells it). Names outside the catalogue are paths
 * into the finding document; callers check the name with isFieldName first.
 */
export function resolveField(name: string): QueryField {
  return CATALOG.get(name) ?? { kind: 'document', name, segments: name.split('.') };
}

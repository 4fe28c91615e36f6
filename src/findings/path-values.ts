// The document paths analysts search most (remote parties, user names, keys, domains, buckets, instances), and the
// values a finding holds under each: what the store indexes so that a query on one of them reads an index.

/**
 * The indexed paths by id. An id is stored with every value, so ids are never reused or renumbered; a path added
 * later needs a store migration that indexes it in the findings already stored.
 */
export const INDEXED_PATHS: ReadonlyMap<number, string> = new Map([
  ...remoteIpPaths(1, 'service.action.networkConnectionAction.remoteIpDetails'),
  ...remoteIpPaths(10, 'service.action.awsApiCallAction.remoteIpDetails'),
  ...remoteIpPaths(20, 'service.action.portProbeAction.portProbeDetails.remoteIpDetails'),
  ...remoteIpPaths(30, 'service.action.kubernetesApiCallAction.remoteIpDetails'),
  ...remoteIpPaths(40, 'service.action.rdsLoginAttemptAction.remoteIpDetails'),
  [50, 'service.action.dnsRequestAction.domain'],
  [51, 'service.action.awsApiCallAction.domainDetails.domain'],
  [52, 'service.action.awsApiCallAction.api'],
  [53, 'service.action.awsApiCallAction.serviceName'],
  [60, 'resource.accessKeyDetails.accessKeyId'],
  [61, 'resource.accessKeyDetails.principalId'],
  [62, 'resource.accessKeyDetails.userName'],
  [63, 'resource.kubernetesDetails.kubernetesUserDetails.username'],
  [64, 'resource.rdsDbUserDetails.user'],
  [70, 'resource.s3BucketDetails.name'],
  [71, 'resource.s3BucketDetails.arn'],
  [80, 'resource.instanceDetails.instanceId'],
  [81, 'resource.instanceDetails.imageId'],
  [82, 'resource.instanceDetails.networkInterfaces.publicIp'],
  [83, 'resource.instanceDetails.networkInterfaces.privateIpAddress'],
  [84, 'resource.eksClusterDetails.name'],
  [85, 'resource.lambdaDetails.functionName'],
  [86, 'resource.containerDetails.image'],
]);

function remoteIpPaths(first: number, details: string): Array<[number, string]> {
  const leaves = ['ipAddressV4', 'ipAddressV6', 'country.countryName', 'organization.asnOrg', 'organization.org', 'organization.isp', 'city.cityName'];
  return leaves.map((leaf, i) => [first + i, `${details}.${leaf}`]);
}

const PATH_IDS: ReadonlyMap<string, number> = new Map([...INDEXED_PATHS].map(([id, path]) => [path, id]));
const SEGMENTS: ReadonlyArray<readonly [number, readonly string[]]> = [...INDEXED_PATHS].map(([id, path]) => [id, path.split('.')]);

/** The id of an indexed path given as its dotted segments, or undefined when it is not indexed. */
export function indexedPathId(segments: readonly string[]): number | undefined {
  return PATH_IDS.get(segments.join('.'));
}

/**
 * One value under an indexed path: a string, number or boolean atom, or `null` for an object (which only
 * `exists` asks about). JSON nulls and arrays are not values: no query condition matches them.
 */
export type PathValue = readonly [path: number, value: string | number | boolean | null];

/**
 * Every value under each indexed path, as SQLite's json_tree reports the path: arrays met on the way and at the
 * end are flattened (`a.b` reaches `{"a":[{"b":["x",["y"]]}]}`'s "x" and "y"). Each value appears once per path.
 * Bounded by the document's node limit (see document-shape.ts).
 */
export function pathValues(doc: Readonly<Record<string, unknown>>): PathValue[] {
  const out: PathValue[] = [];
  for (const [id, segments] of SEGMENTS) {
    let nodes: unknown[] = [doc];
    for (const segment of segments) {
      const next: unknown[] = [];
      for (const node of nodes) {
        if (node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, segment)) {
          flatten((node as Record<string, unknown>)[segment], next);
        }
      }
      nodes = next;
      if (nodes.length === 0) break;
    }
    collect(id, nodes, out);
  }
  return out;
}

/** The value and, when it is an array, every element of it and of the arrays inside it. */
function flatten(value: unknown, into: unknown[]): void {
  if (!Array.isArray(value)) {
    into.push(value);
    return;
  }
  // Without recursion: nesting depth is the document's to choose.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    else into.push(v);
  }
}

function collect(id: number, nodes: readonly unknown[], out: PathValue[]): void {
  const seen = new Set<unknown>();
  let object = false;
  for (const node of nodes) {
    if (node === null || node === undefined) continue;
    if (typeof node === 'object') {
      if (!object) out.push([id, null]);
      object = true;
    } else if ((typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') && !seen.has(node)) {
      seen.add(node);
      out.push([id, node]);
    }
  }
}

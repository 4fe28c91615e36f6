// Reads the facts Yagura indexes (resource, action, remote parties, free text) out of a GuardDuty document.
import type { FindingDocument, RemoteParty } from './finding.js';

const MAX_REMOTE_PARTIES = 32;
const MAX_TEXT_CHARS = 16_384;

type Json = Record<string, unknown>;

function obj(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `a.b.c` lookup through objects only. */
export function at(doc: unknown, path: string): unknown {
  let node: unknown = doc;
  for (const part of path.split('.')) {
    const o = obj(node);
    if (o === undefined || !Object.hasOwn(o, part)) return undefined;
    node = o[part];
  }
  return node;
}

/**
 * Where each resource type keeps the identifier of the affected resource. Chosen by `resource.resourceType`,
 * because other details ride along: an S3 finding also names the caller's access key.
 */
const RESOURCE_ID_PATHS: Readonly<Record<string, readonly (string | number)[]>> = {
  Instance: ['instanceDetails', 'instanceId'],
  AccessKey: ['accessKeyDetails', 'accessKeyId'],
  S3Bucket: ['s3BucketDetails', 0, 'name'],
  EKSCluster: ['eksClusterDetails', 'name'],
  RDSDBInstance: ['rdsDbInstanceDetails', 'dbInstanceIdentifier'],
  Lambda: ['lambdaDetails', 'functionName'],
  ECSCluster: ['ecsClusterDetails', 'name'],
  Container: ['containerDetails', 'name'],
};

/** The affected resource's identifier, for the "most affected resources" view; undefined when not a string. */
export function resourceId(doc: FindingDocument, resourceType: string | undefined): string | undefined {
  const path = resourceType !== undefined && Object.hasOwn(RESOURCE_ID_PATHS, resourceType) ? RESOURCE_ID_PATHS[resourceType] : undefined;
  if (path === undefined) return undefined;
  let node: unknown = at(doc, 'resource');
  for (const step of path) {
    if (typeof step === 'number') node = Array.isArray(node) ? node[step] : undefined;
    else node = obj(node) !== undefined && Object.hasOwn(obj(node)!, step) ? obj(node)![step] : undefined;
  }
  return typeof node === 'string' ? node : undefined;
}

/** Every `remoteIpDetails` object of the finding's action, in GuardDuty's action shapes. */
function remoteIpDetails(action: Json | undefined): Json[] {
  if (action === undefined) return [];
  const found: Json[] = [];
  for (const value of Object.values(action)) {
    const a = obj(value);
    if (a === undefined) continue;
    const direct = obj(a.remoteIpDetails);
    if (direct) found.push(direct);
    for (const detail of list(a.portProbeDetails)) {
      const d = obj(obj(detail)?.remoteIpDetails);
      if (d) found.push(d);
    }
  }
  return found;
}

/** Remote parties (unique by IP) seen in the finding's action. */
export function remoteParties(doc: FindingDocument): RemoteParty[] {
  const byIp = new Map<string, RemoteParty>();
  for (const details of remoteIpDetails(obj(at(doc, 'service.action')))) {
    const ip = str(details.ipAddressV4) ?? str(details.ipAddressV6);
    if (ip === undefined || ip.length > 64 || byIp.has(ip)) continue;
    const country = str(obj(details.country)?.countryName);
    const organization = obj(details.organization);
    const org = str(organization?.asnOrg) ?? str(organization?.org) ?? str(organization?.isp);
    byIp.set(ip, { ip, ...(country && { country }), ...(org && { org }) });
    if (byIp.size >= MAX_REMOTE_PARTIES) break;
  }
  return [...byIp.values()];
}

/** Names of the affected resource: instance, key, user, bucket, cluster, database, workload, container, image. */
function resourceNames(resource: Json | undefined): string[] {
  if (resource === undefined) return [];
  const names: unknown[] = [];
  const instance = obj(resource.instanceDetails);
  if (instance) {
    names.push(instance.instanceId, instance.imageId);
    for (const ni of list(instance.networkInterfaces)) {
      const n = obj(ni);
      names.push(n?.publicDnsName, n?.publicIp, n?.privateDnsName, n?.privateIpAddress);
    }
    for (const tag of list(instance.tags)) names.push(obj(tag)?.value);
  }
  const key = obj(resource.accessKeyDetails);
  if (key) names.push(key.accessKeyId, key.userName, key.principalId);
  for (const bucket of list(resource.s3BucketDetails)) names.push(obj(bucket)?.name, obj(bucket)?.arn);
  const eks = obj(resource.eksClusterDetails);
  if (eks) names.push(eks.name, eks.arn);
  const k8s = obj(resource.kubernetesDetails);
  names.push(at(k8s, 'kubernetesUserDetails.username'), at(k8s, 'kubernetesWorkloadDetails.name'));
  names.push(at(k8s, 'kubernetesWorkloadDetails.namespace'));
  const rds = obj(resource.rdsDbInstanceDetails);
  if (rds) names.push(rds.dbInstanceIdentifier, rds.dbClusterIdentifier);
  names.push(at(resource, 'rdsDbUserDetails.user'), at(resource, 'lambdaDetails.functionName'));
  const container = obj(resource.containerDetails);
  if (container) names.push(container.name, container.image);
  return names.filter((n): n is string => typeof n === 'string' && n.length > 0);
}

/** Lower-cased free text that bare KQL words search: title, description, type, resource and network names. */
export function freeText(doc: FindingDocument, parties: readonly RemoteParty[]): string {
  const action = obj(at(doc, 'service.action'));
  const parts: unknown[] = [doc.title, doc.description, doc.type, ...resourceNames(obj(doc.resource))];
  parts.push(at(action, 'dnsRequestAction.domain'), at(action, 'networkConnectionAction.remoteIpDetails.ipAddressV6'));
  parts.push(at(action, 'awsApiCallAction.api'), at(action, 'awsApiCallAction.domainDetails.domain'));
  for (const p of parties) parts.push(p.ip, p.org, p.country);
  const text = parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join(' ');
  return text.slice(0, MAX_TEXT_CHARS).toLowerCase();
}

// Who acted in a finding: the remote party of whichever action GuardDuty recorded, and the affected resource.
import { at, text } from './format.js';

const REMOTE_PATHS = [
  'service.action.networkConnectionAction.remoteIpDetails',
  'service.action.awsApiCallAction.remoteIpDetails',
  'service.action.kubernetesApiCallAction.remoteIpDetails',
  'service.action.rdsLoginAttemptAction.remoteIpDetails',
  'service.action.portProbeAction.portProbeDetails[0].remoteIpDetails',
];

export interface RemoteParty {
  readonly ip: string;
  readonly country: string;
  readonly city: string;
  readonly org: string;
  readonly asn: string;
}

export function remoteParty(doc: unknown): RemoteParty | undefined {
  for (const path of REMOTE_PATHS) {
    const r = at(doc, path);
    if (r && typeof r === 'object') {
      return {
        ip: text(at(r, 'ipAddressV4') ?? at(r, 'ipAddressV6')),
        country: text(at(r, 'country.countryName')),
        city: text(at(r, 'city.cityName')),
        // The same preference as the server's remoteOrg field, so a clicked value finds this finding.
        org: text(at(r, 'organization.asnOrg') ?? at(r, 'organization.org') ?? at(r, 'organization.isp')),
        asn: text(at(r, 'organization.asn')),
      };
    }
  }
  return undefined;
}

/**
 * Where each resource type keeps the affected resource's identifier, as KQL paths (array indexes left out:
 * a path matches any element). The server's `resourceId` aggregation field uses the same choice.
 */
export const RESOURCE_ID_PATHS: Readonly<Record<string, string>> = {
  Instance: 'resource.instanceDetails.instanceId',
  AccessKey: 'resource.accessKeyDetails.accessKeyId',
  S3Bucket: 'resource.s3BucketDetails.name',
  EKSCluster: 'resource.eksClusterDetails.name',
  RDSDBInstance: 'resource.rdsDbInstanceDetails.dbInstanceIdentifier',
  Lambda: 'resource.lambdaDetails.functionName',
  ECSCluster: 'resource.ecsClusterDetails.name',
  Container: 'resource.containerDetails.name',
};

/** The affected resource's type and identifier (instance ID, access key, bucket, cluster…). */
export function resource(doc: unknown): { type: string; id: string } {
  const type = text(at(doc, 'resource.resourceType'));
  const path = RESOURCE_ID_PATHS[type];
  const id = path === undefined ? undefined : at(doc, path.replace('s3BucketDetails.', 's3BucketDetails[0].'));
  return { type, id: text(id) };
}

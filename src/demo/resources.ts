// Builds the `resource` object of a demo finding for its type, with the names its title refers to.
import type { FindingTypeSpec } from './catalog.js';
import { Entity, container, ecsCluster, eksCluster, entityRandom, instance, network, scannedVolumes, skewedIndex } from './compute.js';
import { epochSeconds, hex8, iso } from './format.js';
import type { Scope } from './compute.js';
import type { Random } from './random.js';
import { DAY_MS } from './timeline.js';

/** The resource of one finding and the names its title and action refer to. */
export interface ResourceFacts {
  readonly resource: Record<string, unknown>;
  /** What `{res}` names: an instance id, bucket, cluster, database, function or container. */
  readonly name: string;
  /** What `{kind}` names, e.g. "EC2 instance". */
  readonly kind: string;
  /** What `{user}` names: an IAM user or role, a Kubernetes user or a database user. */
  readonly user: string;
  /** The private address used as `localIpDetails`. */
  readonly privateIp: string;
  /** The scanned EBS volume, for Malware Protection findings. */
  readonly volumeArn?: string | undefined;
  /** The Kubernetes pod involved, for EKS findings. */
  readonly pod?: { readonly name: string; readonly namespace: string } | undefined;
  /** The database client application, for RDS findings. */
  readonly application?: string | undefined;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(r: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[r.int(32)];
  return out;
}

const USERS = ['alice', 'bob', 'carol', 'dave', 'deploy-bot', 'ci-runner', 'terraform', 'backup-svc', 'jenkins', 'ops-oncall', 'data-loader', 'reporting'];
const ROLES = ['OrganizationAccountAccessRole', 'AWSReservedSSO_AdministratorAccess_5e3c2b1a', 'AWSReservedSSO_ReadOnly_9f8e7d6c', 'github-actions-deploy', 'app-runtime'];

/** An IAM principal as `accessKeyDetails`. */
function principal(scope: Scope, n: number, type: string, rng: Random): { details: Record<string, unknown>; user: string } {
  if (type.includes('RootCredential')) {
    return {
      user: 'Root',
      details: { accessKeyId: `ASIA${base32(rng, 16)}`, principalId: scope.accountId, userType: 'Root', userName: 'Root' },
    };
  }
  const r = entityRandom(scope, Entity.Principal, n);
  if (type.includes('InstanceCredentialExfiltration') || r.chance(0.35)) {
    const role = type.includes('InstanceCredentialExfiltration') ? `${r.pick(['web', 'api', 'worker', 'batch'])}-instance-role` : r.pick(ROLES);
    const session = type.includes('InstanceCredentialExfiltration') ? `i-0${hex8(rng.uint32())}${hex8(rng.uint32())}` : r.pick(USERS);
    return {
      user: role,
      details: { accessKeyId: `ASIA${base32(rng, 16)}`, principalId: `AROA${base32(r, 17)}:${session}`, userType: 'AssumedRole', userName: role },
    };
  }
  const user = `${r.pick(USERS)}${n > 11 ? `-${n}` : ''}`;
  return { user, details: { accessKeyId: `AKIA${base32(r, 16)}`, principalId: `AIDA${base32(r, 17)}`, userType: 'IAMUser', userName: user } };
}

const BUCKET_PURPOSES = ['logs', 'backups', 'data-lake', 'artifacts', 'static-assets', 'terraform-state', 'exports', 'invoices', 'ml-datasets', 'cloudtrail'];

function s3Bucket(scope: Scope, n: number, type: string): { details: Record<string, unknown>; name: string } {
  const r = entityRandom(scope, Entity.Bucket, n);
  const name = `${r.pick(['acme', 'corp', 'app'])}-${r.pick(BUCKET_PURPOSES)}-${scope.accountId.slice(-4)}-${n}`;
  const isPublic = type.includes('PublicAccessGranted') || type.includes('AnonymousAccessGranted');
  const blocked = !type.includes('BlockPublicAccessDisabled') && !isPublic;
  const block = { blockPublicPolicy: blocked, restrictPublicBuckets: blocked, blockPublicAcls: blocked, ignorePublicAcls: blocked };
  const kms = r.chance(0.4);
  return {
    name,
    details: {
      arn: `arn:aws:s3:::${name}`,
      name,
      type: 'Destination',
      createdAt: epochSeconds(scope.horizon - r.int(900 * DAY_MS)),
      owner: { id: hex8(r.uint32()) + hex8(r.uint32()) + hex8(r.uint32()) + hex8(r.uint32()) + hex8(r.uint32()) + hex8(r.uint32()) + hex8(r.uint32()) + hex8(r.uint32()) },
      tags: [{ key: 'DataClassification', value: r.pick(['internal', 'confidential', 'public']) }],
      defaultServerSideEncryption: kms
        ? { encryptionType: 'aws:kms', kmsMasterKeyArn: `arn:aws:kms:${scope.region}:${scope.accountId}:key/${hex8(r.uint32())}` }
        : { encryptionType: 'AES256' },
      publicAccess: {
        permissionConfiguration: {
          bucketLevelPermissions: {
            accessControlList: { allowsPublicReadAccess: isPublic, allowsPublicWriteAccess: false },
            bucketPolicy: { allowsPublicReadAccess: isPublic, allowsPublicWriteAccess: false },
            blockPublicAccess: block,
          },
          accountLevelPermissions: { blockPublicAccess: block },
        },
        effectivePermission: isPublic ? 'PUBLIC' : 'NOT_PUBLIC',
      },
    },
  };
}

const ENGINES: readonly (readonly [engine: string, version: string])[] = [
  ['aurora-postgresql', '15.4'], ['aurora-mysql', '8.0.mysql_aurora.3.05.2'], ['postgres', '16.3'], ['mysql', '8.0.39'],
];

function rdsInstance(
  scope: Scope,
  n: number,
  rng: Random,
): { instance: Record<string, unknown>; login: Record<string, unknown>; name: string; user: string; application: string } {
  const r = entityRandom(scope, Entity.Database, n);
  const [engine, engineVersion] = r.pick(ENGINES);
  const app = r.pick(['orders', 'billing', 'users', 'inventory', 'analytics']);
  const name = `${app}-db-${n}`;
  const user = rng.pick(['admin', 'postgres', `${app}_app`, 'readonly', 'root', 'dbadmin']);
  const application = rng.pick(['psql', 'mysql', 'DBeaver', 'pgAdmin 4', '']);
  return {
    name,
    user,
    application,
    instance: {
      dbInstanceIdentifier: name,
      engine,
      engineVersion,
      dbClusterIdentifier: engine.startsWith('aurora') ? `${app}-cluster-${n}` : null,
      dbInstanceArn: `arn:aws:rds:${scope.region}:${scope.accountId}:db:${name}`,
      tags: [{ key: 'Application', value: app }],
    },
    login: { user, application, database: app, ssl: 'true', authMethod: 'PASSWORD' },
  };
}

function lambdaFunction(scope: Scope, n: number): { details: Record<string, unknown>; name: string } {
  const r = entityRandom(scope, Entity.Function, n);
  const name = `${r.pick(['image-resizer', 'webhook-handler', 'etl-job', 'slack-notifier', 'cost-report'])}-${n}`;
  const net = network(scope, r.int(4));
  return {
    name,
    details: {
      functionArn: `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${name}`,
      functionName: name,
      description: '',
      lastModifiedAt: iso(scope.horizon - r.int(200 * DAY_MS)),
      revisionId: `${hex8(r.uint32())}-${hex8(r.uint32()).slice(0, 4)}-4${hex8(r.uint32()).slice(0, 3)}-8${hex8(r.uint32()).slice(0, 3)}-${hex8(r.uint32())}${hex8(r.uint32()).slice(0, 4)}`,
      functionVersion: '$LATEST',
      role: `arn:aws:iam::${scope.accountId}:role/${name}-role`,
      vpcConfig: { subnetIds: [net.subnetId], vpcId: net.vpcId, securityGroups: [{ groupName: `${name}-sg`, groupId: net.groupId }] },
      tags: [{ key: 'Service', value: name }],
    },
  };
}

type Concrete = Exclude<FindingTypeSpec['resource'], 'Runtime'>;

/** Runtime Monitoring reports on EC2 hosts, EKS pods, ECS tasks and standalone containers. */
function runtimeTarget(rng: Random): Concrete {
  const x = rng.next();
  return x < 0.4 ? 'Instance' : x < 0.75 ? 'EKSCluster' : x < 0.9 ? 'ECSCluster' : 'Container';
}

/** Builds the resource for a finding of `spec` in `scope`. */
export function buildResource(spec: FindingTypeSpec, scope: Scope, rng: Random): ResourceFacts {
  const kind: Concrete = spec.resource === 'Runtime' ? runtimeTarget(rng) : spec.resource;
  const needsHost = spec.detail === 'runtime' || spec.detail === 'volumeScan' || kind === 'Instance';
  const host = needsHost || (kind === 'AccessKey' && rng.chance(0.3)) ? instance(scope, skewedIndex(rng, 120)) : undefined;
  const scanned = spec.detail === 'volumeScan' ? scannedVolumes(scope, skewedIndex(rng, 120)) : undefined;
  const resource: Record<string, unknown> = { resourceType: kind };
  let name = host?.id ?? '';
  let label = 'EC2 instance';
  let user = '';
  let pod: ResourceFacts['pod'];
  let application: string | undefined;
  switch (kind) {
    case 'Instance':
      break;
    case 'AccessKey':
    case 'S3Bucket': {
      const who = principal(scope, skewedIndex(rng, 60), spec.type, rng);
      resource['accessKeyDetails'] = who.details;
      name = user = who.user;
      label = 'IAM principal';
      if (kind === 'S3Bucket') {
        const bucket = s3Bucket(scope, skewedIndex(rng, 80), spec.type);
        resource['s3BucketDetails'] = [bucket.details];
        name = bucket.name;
        label = 'S3 bucket';
      }
      break;
    }
    case 'EKSCluster': {
      const cluster = eksCluster(scope, skewedIndex(rng, 12), rng, spec.type.includes('Anonymous'));
      resource['eksClusterDetails'] = cluster.details;
      resource['kubernetesDetails'] = cluster.kubernetes;
      ({ name, user, pod } = cluster);
      label = 'EKS cluster';
      break;
    }
    case 'ECSCluster': {
      const cluster = ecsCluster(scope, skewedIndex(rng, 10), rng);
      resource['ecsClusterDetails'] = cluster.details;
      name = cluster.name;
      label = 'ECS cluster';
      break;
    }
    case 'Container': {
      const box = container(scope, skewedIndex(rng, 200));
      resource['containerDetails'] = box.details;
      name = box.id.slice(0, 12);
      label = 'container';
      break;
    }
    case 'RDSDBInstance': {
      const db = rdsInstance(scope, skewedIndex(rng, 20), rng);
      resource['rdsDbInstanceDetails'] = db.instance;
      resource['rdsDbUserDetails'] = db.login;
      ({ name, user, application } = db);
      label = 'RDS instance';
      break;
    }
    case 'Lambda': {
      const fn = lambdaFunction(scope, skewedIndex(rng, 40));
      resource['lambdaDetails'] = fn.details;
      name = fn.name;
      label = 'Lambda function';
      break;
    }
  }
  if (host !== undefined && kind !== 'ECSCluster') resource['instanceDetails'] = host.details;
  if (scanned !== undefined) resource['ebsVolumeDetails'] = scanned.details;
  return {
    resource: spec.detail === 'sequence' ? { resourceType: 'AttackSequence' } : resource,
    name,
    kind: label,
    user,
    privateIp: host?.privateIp ?? `10.${rng.int(256)}.${rng.int(256)}.${rng.range(4, 250)}`,
    volumeArn: scanned?.volumeArn,
    pod,
    application,
  };
}

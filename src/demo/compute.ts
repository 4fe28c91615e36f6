// Compute resources of demo findings (EC2 instances, containers, EKS and ECS clusters), stable per account.
import { epochSeconds, hex8, iso } from './format.js';
import { Random, hash32 } from './random.js';
import { DAY_MS } from './timeline.js';

/** Where a finding happens; every derived name is a pure function of these and an entity number. */
export interface Scope {
  readonly accountId: string;
  /** Hash of the seed and account, so entity names differ per account but stay stable across findings. */
  readonly accountSalt: number;
  readonly region: string;
  /** Epoch ms before which resources were created (the start of the generated window). */
  readonly horizon: number;
  /** Instances built so far in this run: most findings are about a few busy instances. */
  readonly instances: BoundedCache<InstanceFacts>;
}

/** A memo that forgets everything when full: cheap, bounded, and invisible in the output. */
export class BoundedCache<T> {
  private readonly entries = new Map<number, T>();

  constructor(private readonly maxEntries: number) {}

  get(key: number): T | undefined {
    return this.entries.get(key);
  }

  set(key: number, value: T): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
  }
}

/** An EC2 instance as findings show it. Shared between findings: read-only. */
export interface InstanceFacts {
  readonly details: Record<string, unknown>;
  readonly id: string;
  readonly privateIp: string;
}

/** Entity kinds, mixed into hashes so an instance and a bucket with the same number differ. */
export const Entity = {
  Instance: 1,
  Principal: 2,
  Bucket: 3,
  Cluster: 4,
  Database: 5,
  Function: 6,
  Container: 7,
  Network: 8,
  Volume: 9,
} as const;
export type Entity = (typeof Entity)[keyof typeof Entity];

/** A Random whose sequence depends only on the entity, so an entity looks the same in every finding. */
export function entityRandom(scope: Scope, entity: Entity, n: number): Random {
  return new Random(hash32(scope.accountSalt, entity, n));
}

/** A resource id such as `i-0` followed by 16 hex digits. */
export function awsId(prefix: string, r: Random): string {
  return `${prefix}-0${hex8(r.uint32())}${hex8(r.uint32())}`;
}

/** A skewed entity number in [0, max): a few entities show up in most findings. */
export function skewedIndex(rng: Random, max: number): number {
  const x = rng.next();
  return Math.floor(max * x * x * x);
}

const INSTANCE_TYPES = ['t3.micro', 't3.medium', 'm5.large', 'm5.xlarge', 'c5.2xlarge', 'r5.large', 'm6i.large', 't4g.small'];
const ROLES = ['web', 'api', 'worker', 'bastion', 'batch', 'build', 'db-proxy', 'ingest'];
const ENVIRONMENTS = ['prod', 'prod', 'staging', 'dev'];
const TEAMS = ['platform', 'payments', 'data', 'identity', 'growth'];
const IMAGES: readonly (readonly [platform: string | null, description: string])[] = [
  [null, 'Amazon Linux 2023 AMI 2023.6.20241212.0 x86_64 HVM kernel-6.1'],
  [null, 'Canonical, Ubuntu, 22.04 LTS, amd64 jammy image'],
  [null, 'Amazon Linux 2 Kernel 5.10 AMI 2.0.20241217.0 x86_64 HVM gp2'],
  ['windows', 'Microsoft Windows Server 2022 Full Locale English AMI'],
];

function dnsSuffix(region: string, kind: 'private' | 'public'): string {
  if (region === 'us-east-1') return kind === 'private' ? 'ec2.internal' : 'compute-1.amazonaws.com';
  return kind === 'private' ? `${region}.compute.internal` : `${region}.compute.amazonaws.com`;
}

/** The account's VPC, subnet and security group for a region. */
export function network(scope: Scope, subnet: number): { vpcId: string; subnetId: string; groupId: string } {
  const r = entityRandom(scope, Entity.Network, subnet);
  return { vpcId: awsId('vpc', r), subnetId: awsId('subnet', r), groupId: awsId('sg', r) };
}

/** An EC2 instance: `instanceDetails` and its primary private address; the same object for the same instance. */
export function instance(scope: Scope, n: number): InstanceFacts {
  const key = scope.accountSalt * 65_536 + n;
  const known = scope.instances.get(key);
  if (known !== undefined) return known;
  const built = buildInstance(scope, n);
  scope.instances.set(key, built);
  return built;
}

function buildInstance(scope: Scope, n: number): InstanceFacts {
  const r = entityRandom(scope, Entity.Instance, n);
  const id = awsId('i', r);
  const role = r.pick(ROLES);
  const env = r.pick(ENVIRONMENTS);
  const [platform, imageDescription] = r.pick(IMAGES);
  const privateIp = `10.${r.int(256)}.${r.int(256)}.${r.range(4, 250)}`;
  const privateDnsName = `ip-${privateIp.replaceAll('.', '-')}.${dnsSuffix(scope.region, 'private')}`;
  const net = network(scope, r.int(4));
  const iface: Record<string, unknown> = {
    ipv6Addresses: [],
    networkInterfaceId: awsId('eni', r),
    privateDnsName,
    privateIpAddress: privateIp,
    privateIpAddresses: [{ privateDnsName, privateIpAddress: privateIp }],
    subnetId: net.subnetId,
    vpcId: net.vpcId,
    securityGroups: [{ groupName: `${role}-${env}`, groupId: net.groupId }],
    publicDnsName: '',
  };
  if (r.chance(0.6)) {
    const publicIp = `192.0.2.${128 + r.int(126)}`;
    iface['publicDnsName'] = `ec2-${publicIp.replaceAll('.', '-')}.${dnsSuffix(scope.region, 'public')}`;
    iface['publicIp'] = publicIp;
  }
  const details = {
    instanceId: id,
    instanceType: r.pick(INSTANCE_TYPES),
    launchTime: iso(scope.horizon - r.int(400 * DAY_MS)),
    platform,
    productCodes: [],
    iamInstanceProfile: {
      arn: `arn:aws:iam::${scope.accountId}:instance-profile/${role}-${env}`,
      id: `AIPA${hex8(r.uint32()).toUpperCase()}${hex8(r.uint32()).toUpperCase().slice(0, 9)}`,
    },
    networkInterfaces: [iface],
    tags: [
      { key: 'Name', value: `${role}-${env}-${n}` },
      { key: 'Environment', value: env },
      { key: 'Team', value: r.pick(TEAMS) },
    ],
    instanceState: 'running',
    availabilityZone: `${scope.region}${r.pick(['a', 'b', 'c'])}`,
    imageId: awsId('ami', r),
    imageDescription,
  };
  return { details, id, privateIp };
}

const IMAGES_BY_APP = ['nginx:1.27', 'redis:7.2', 'python:3.12-slim', 'node:20-alpine', 'grafana/grafana:11.1.0', 'busybox:1.36'];

/** A running container: `containerDetails`. */
export function container(scope: Scope, n: number): { details: Record<string, unknown>; id: string } {
  const r = entityRandom(scope, Entity.Container, n);
  const id = hex8(r.uint32()) + hex8(r.uint32()) + hex8(r.uint32()) + hex8(r.uint32());
  const image = r.pick(IMAGES_BY_APP);
  const app = image.split(/[:/]/)[0] ?? 'app';
  const fromEcr = r.chance(0.5);
  const registry = `${scope.accountId}.dkr.ecr.${scope.region}.amazonaws.com`;
  return {
    id,
    details: {
      containerRuntime: r.pick(['containerd', 'docker']),
      id,
      name: `${app}-${n}`,
      image: fromEcr ? `${registry}/${image}` : image,
      imagePrefix: fromEcr ? registry : null,
    },
  };
}

const CLUSTERS = ['prod-eks', 'platform', 'staging-eks', 'ml-training', 'payments', 'data-pipelines'];
const NAMESPACES = ['default', 'kube-system', 'payments', 'monitoring', 'ingress-nginx'];

/** An EKS cluster with the Kubernetes user and workload a finding is about. */
export function eksCluster(
  scope: Scope,
  n: number,
  rng: Random,
  anonymous: boolean,
): { details: Record<string, unknown>; kubernetes: Record<string, unknown>; name: string; user: string; pod: { name: string; namespace: string } } {
  const r = entityRandom(scope, Entity.Cluster, n);
  const name = `${r.pick(CLUSTERS)}-${n}`;
  const net = network(scope, r.int(4));
  const user = anonymous ? 'system:anonymous' : rng.pick(['kubernetes-admin', 'ci-deployer', `sso-user-${rng.int(40)}`, 'system:serviceaccount:default:default']);
  const namespace = rng.pick(NAMESPACES);
  const workload = `${rng.pick(['api', 'web', 'worker', 'coredns', 'metrics'])}-${hex8(rng.uint32()).slice(0, 5)}`;
  return {
    name,
    user,
    pod: { name: workload, namespace },
    details: {
      name,
      arn: `arn:aws:eks:${scope.region}:${scope.accountId}:cluster/${name}`,
      vpcId: net.vpcId,
      status: 'ACTIVE',
      tags: [{ key: 'Environment', value: r.pick(ENVIRONMENTS) }],
      createdAt: epochSeconds(scope.horizon - r.int(300 * DAY_MS)),
    },
    kubernetes: {
      kubernetesUserDetails: {
        username: user,
        uid: anonymous ? '' : `${hex8(rng.uint32())}-${hex8(rng.uint32()).slice(0, 4)}`,
        groups: anonymous ? ['system:unauthenticated'] : ['system:authenticated', 'system:masters'],
      },
      kubernetesWorkloadDetails: {
        name: workload,
        type: 'pods',
        uid: `${hex8(rng.uint32())}-${hex8(rng.uint32()).slice(0, 4)}-${hex8(rng.uint32()).slice(0, 4)}`,
        namespace,
        hostNetwork: false,
      },
    },
  };
}

/** An ECS cluster with one running task. */
export function ecsCluster(scope: Scope, n: number, rng: Random): { details: Record<string, unknown>; name: string } {
  const r = entityRandom(scope, Entity.Cluster, 1000 + n);
  const name = `${r.pick(['ecs-prod', 'ecs-batch', 'fargate-web', 'ecs-internal'])}-${n}`;
  const family = r.pick(['web', 'worker', 'scheduler', 'api']);
  const taskId = hex8(rng.uint32()) + hex8(rng.uint32()) + hex8(rng.uint32()) + hex8(rng.uint32());
  const started = scope.horizon - rng.int(30 * DAY_MS);
  return {
    name,
    details: {
      name,
      arn: `arn:aws:ecs:${scope.region}:${scope.accountId}:cluster/${name}`,
      status: 'ACTIVE',
      activeServicesCount: r.range(1, 12),
      registeredContainerInstancesCount: r.range(0, 6),
      runningTasksCount: r.range(1, 40),
      tags: [{ key: 'Environment', value: r.pick(ENVIRONMENTS) }],
      taskDetails: {
        arn: `arn:aws:ecs:${scope.region}:${scope.accountId}:task/${name}/${taskId}`,
        definitionArn: `arn:aws:ecs:${scope.region}:${scope.accountId}:task-definition/${family}:${r.range(1, 90)}`,
        version: String(r.range(1, 90)),
        taskCreatedAt: epochSeconds(started),
        startedAt: epochSeconds(started + 4000),
        startedBy: `ecs-svc/${hex8(r.uint32())}${hex8(r.uint32())}`,
        containers: [container(scope, r.int(20)).details],
      },
    },
  };
}

/** `ebsVolumeDetails` for the volumes a Malware Protection scan looked at. */
export function scannedVolumes(scope: Scope, n: number): { details: Record<string, unknown>; volumeArn: string } {
  const r = entityRandom(scope, Entity.Volume, n);
  const volumeId = awsId('vol', r);
  const encrypted = r.chance(0.7);
  const volumeArn = `arn:aws:ec2:${scope.region}:${scope.accountId}:volume/${volumeId}`;
  const details = {
    scannedVolumeDetails: [
      {
        volumeArn,
        volumeType: 'gp3',
        deviceName: '/dev/xvda',
        volumeSizeInGB: r.pick([8, 20, 30, 50, 100]),
        encryptionType: encrypted ? 'CMK' : 'UNENCRYPTED',
        snapshotArn: `arn:aws:ec2:${scope.region}:${scope.accountId}:snapshot/${awsId('snap', r)}`,
        kmsKeyArn: encrypted ? `arn:aws:kms:${scope.region}:${scope.accountId}:key/${hex8(r.uint32())}-${hex8(r.uint32()).slice(0, 4)}-4${hex8(r.uint32()).slice(0, 3)}-a${hex8(r.uint32()).slice(0, 3)}-${hex8(r.uint32())}${hex8(r.uint32()).slice(0, 4)}` : null,
      },
    ],
    skippedVolumeDetails: [],
  };
  return { details, volumeArn };
}

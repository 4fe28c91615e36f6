// Builds `service.action` for a demo finding: network connections, port probes, DNS, AWS, Kubernetes and RDS calls.
import type { FindingTypeSpec } from './catalog.js';
import { addressOf, domainFor, ephemeralPort, probedPortFor, servicePortFor } from './network.js';
import type { RemoteIpDetails, RemotePool } from './network.js';
import type { Random } from './random.js';
import type { ResourceFacts } from './resources.js';

/** The action and what the title and severity depend on. */
export interface ActionFacts {
  readonly action: Record<string, unknown> | undefined;
  /** True when the resource is the attacker (outbound brute force, scans, DoS). */
  readonly actor: boolean;
  readonly remote: RemoteIpDetails | undefined;
  readonly domain: string;
  readonly api: string;
  readonly port: number;
}

const KALI_AGENT = 'aws-cli/2.15.0 Python/3.11.8 Linux/6.6.9-amd64 exe/x86_64.kali.2024 prompt/off command/s3.ls';
const AGENTS = [
  'aws-cli/2.17.20 Python/3.11.9 Linux/5.10.223-211.872.amzn2.x86_64 exe/x86_64.amzn.2 prompt/off',
  'Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#6.1.97 md/arch#x86_64 lang/python#3.12.4',
  'console.amazonaws.com',
  'aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux api/s3#1.58.2',
  'Terraform/1.9.2 (+https://www.terraform.io) terraform-provider-aws/5.59.0',
];

/** Candidate API calls (`service:Operation`) by type keyword, most specific first. */
const API_CALLS: readonly (readonly [keyword: string, calls: readonly string[]])[] = [
  ['CloudTrailLoggingDisabled', ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail']],
  ['PasswordPolicyChange', ['iam:UpdateAccountPasswordPolicy', 'iam:DeleteAccountPasswordPolicy']],
  ['BedrockLoggingDisabled', ['bedrock:DeleteModelInvocationLoggingConfiguration']],
  ['ConsoleLogin', ['signin:ConsoleLogin']],
  ['ServerAccessLoggingDisabled', ['s3:PutBucketLogging']],
  ['AccountBlockPublicAccess', ['s3:PutAccountPublicAccessBlock', 's3:DeletePublicAccessBlock']],
  ['BucketBlockPublicAccess', ['s3:PutBucketPublicAccessBlock', 's3:DeleteBucketPublicAccessBlock']],
  ['AccessGranted', ['s3:PutBucketPolicy', 's3:PutBucketAcl']],
  ['AnomalousBehavior.Delete', ['s3:DeleteObject', 's3:DeleteObjects']],
  ['AnomalousBehavior.Permission', ['s3:PutBucketAcl', 's3:PutBucketPolicy']],
  ['AnomalousBehavior.Write', ['s3:PutObject', 's3:CopyObject']],
  ['/S3/', ['s3:GetObject', 's3:ListObjects', 's3:GetBucketAcl', 's3:ListBuckets']],
  ['CredentialAccess:', ['secretsmanager:GetSecretValue', 'ec2:GetPasswordData', 'ssm:GetParameters']],
  ['DefenseEvasion:', ['ec2:DeleteFlowLogs', 'guardduty:UpdateDetector', 'config:StopConfigurationRecorder']],
  ['Exfiltration:', ['ec2:ModifySnapshotAttribute', 'ec2:CreateSnapshot', 'rds:ModifyDBSnapshotAttribute']],
  ['Impact:', ['ec2:RunInstances', 'ec2:TerminateInstances', 's3:DeleteBucket']],
  ['InitialAccess:', ['sts:GetSessionToken', 'ssm:StartSession']],
  ['Persistence:', ['iam:CreateAccessKey', 'iam:CreateUser', 'iam:CreateLoginProfile']],
  ['PrivilegeEscalation:', ['iam:AttachUserPolicy', 'iam:PutRolePolicy', 'iam:CreatePolicyVersion']],
  ['', ['iam:ListUsers', 'ec2:DescribeInstances', 'iam:GetAccountAuthorizationDetails', 's3:ListBuckets', 'sts:GetCallerIdentity']],
];

/** The first row whose keyword occurs in the type (the last row's empty keyword always matches). */
function firstMatch<Row extends readonly [string, ...unknown[]]>(rows: readonly Row[], type: string): Row | undefined {
  for (const row of rows) if (type.includes(row[0])) return row;
  return undefined;
}

function apiCallFor(type: string, rng: Random): readonly [service: string, operation: string] {
  const calls = firstMatch(API_CALLS, type)?.[1] ?? ['sts:GetCallerIdentity'];
  const [service = 'sts', operation = 'GetCallerIdentity'] = rng.pick(calls).split(':');
  return [service, operation];
}

const K8S_CALLS: readonly (readonly [keyword: string, verb: string, uri: string])[] = [
  ['ExecIn', 'create', '/api/v1/namespaces/{ns}/pods/{pod}/exec?command=sh&container=app&stdin=true&stdout=true&tty=true'],
  ['PrivilegedContainer', 'create', '/apis/apps/v1/namespaces/{ns}/deployments'],
  ['SensitiveMount', 'create', '/api/v1/namespaces/{ns}/pods'],
  ['RoleBinding', 'create', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings'],
  ['AdminAccessToDefaultServiceAccount', 'create', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings'],
  ['AnonymousAccessGranted', 'create', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings'],
  ['PermissionChecked', 'create', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'],
  ['ExposedDashboard', 'get', '/api/v1/namespaces/kubernetes-dashboard/services/https:kubernetes-dashboard:/proxy/'],
  ['CredentialAccess', 'list', '/api/v1/namespaces/{ns}/secrets'],
  ['DefenseEvasion', 'delete', '/api/v1/namespaces/{ns}/events'],
  ['Impact', 'delete', '/apis/apps/v1/namespaces/{ns}/deployments/{pod}'],
  ['Persistence', 'create', '/apis/apps/v1/namespaces/{ns}/daemonsets'],
  ['', 'list', '/api/v1/namespaces/{ns}/pods'],
];

function actionFacts(action: Record<string, unknown> | undefined, remote?: RemoteIpDetails, domain = '', api = ''): ActionFacts {
  return { action, actor: false, remote, domain, api, port: 0 };
}

/** Builds `service.action` for a finding of `spec` about `facts`. */
export function buildAction(spec: FindingTypeSpec, facts: ResourceFacts, rng: Random, pool: RemotePool): ActionFacts {
  const type = spec.type;
  switch (spec.action) {
    case 'none':
      return actionFacts(spec.detail === 'runtime' ? {} : undefined);
    case 'inbound':
    case 'outbound':
    case 'attack': {
      const flipped = spec.action === 'inbound' && spec.outboundSeverity !== undefined && rng.chance(0.12);
      const inbound = spec.action === 'inbound' && !flipped;
      const remote = pool.sample(rng);
      const service = servicePortFor(type, rng);
      const client = ephemeralPort(rng);
      const action = {
        actionType: 'NETWORK_CONNECTION',
        networkConnectionAction: {
          connectionDirection: inbound ? 'INBOUND' : 'OUTBOUND',
          localIpDetails: { ipAddressV4: facts.privateIp },
          remoteIpDetails: remote,
          remotePortDetails: inbound ? client : service,
          localPortDetails: inbound ? service : client,
          protocol: type.includes('Udp') || type.includes('.Dns') ? 'UDP' : 'TCP',
          blocked: false,
        },
      };
      return { action, actor: flipped || spec.action === 'attack', remote, domain: '', api: '', port: service.port };
    }
    case 'probe': {
      const probes = 1 + Math.floor(rng.next() * rng.next() * 4);
      const details: Record<string, unknown>[] = [];
      let first: RemoteIpDetails | undefined;
      for (let i = 0; i < probes; i++) {
        const remote = pool.sample(rng);
        first ??= remote;
        details.push({ localPortDetails: probedPortFor(type, rng), localIpDetails: { ipAddressV4: facts.privateIp }, remoteIpDetails: remote });
      }
      return actionFacts({ actionType: 'PORT_PROBE', portProbeAction: { portProbeDetails: details, blocked: false } }, first);
    }
    case 'dns': {
      const domain = domainFor(type, rng);
      const suffix = domain.split('.').slice(-2).join('.');
      const action = { actionType: 'DNS_REQUEST', dnsRequestAction: { domain, protocol: 'UDP', blocked: type.includes('Blackhole'), domainWithSuffix: suffix } };
      return actionFacts(action, undefined, domain);
    }
    case 'api': {
      const [service, operation] = apiCallFor(type, rng);
      const insideAws = type.includes('InsideAWS');
      const remote = insideAws ? undefined : pool.sample(rng);
      const call: Record<string, unknown> = {
        api: operation,
        serviceName: `${service}.amazonaws.com`,
        callerType: insideAws ? 'Remote account' : 'Remote IP',
      };
      if (type.includes('Recon') && rng.chance(0.4)) call['errorCode'] = 'AccessDenied';
      call['userAgent'] = type.includes('KaliLinux') ? KALI_AGENT : rng.pick(AGENTS);
      if (remote === undefined) call['remoteAccountDetails'] = { accountId: String(100000000000 + rng.int(899999999999)), affiliated: false };
      else call['remoteIpDetails'] = remote;
      call['affectedResources'] = spec.resource === 'S3Bucket' ? { 'AWS::S3::Bucket': facts.name } : {};
      return actionFacts({ actionType: 'AWS_API_CALL', awsApiCallAction: call }, remote, '', operation);
    }
    case 'k8s': {
      const [, verb = 'list', template = '/api/v1/pods'] = firstMatch(K8S_CALLS, type) ?? [];
      const requestUri = template
        .replace('{ns}', type.includes('KubeSystem') ? 'kube-system' : facts.pod?.namespace ?? 'default')
        .replace('{pod}', facts.pod?.name ?? 'app');
      const remote = pool.sample(rng);
      const call = {
        requestUri,
        verb,
        sourceIPs: [addressOf(remote)],
        userAgent: rng.pick(['kubectl/v1.29.3 (linux/amd64) kubernetes/6813625', 'python-requests/2.31.0', 'Go-http-client/1.1']),
        remoteIpDetails: remote,
        statusCode: verb === 'create' && type.includes('Exec') ? 101 : rng.chance(0.85) ? 200 : 403,
      };
      return actionFacts({ actionType: 'KUBERNETES_API_CALL', kubernetesApiCallAction: call }, remote);
    }
    case 'rds': {
      const remote = pool.sample(rng);
      const failed = type.includes('Failed') || type.includes('BruteForce') || type.startsWith('Discovery') ? rng.range(3, 400) : 0;
      const succeeded = type.includes('Successful') ? rng.range(1, 5) : 0;
      const login = {
        user: facts.user,
        application: facts.application ?? '',
        failedLoginAttempts: failed,
        successfulLoginAttempts: succeeded,
      };
      return actionFacts({ actionType: 'RDS_LOGIN_ATTEMPT', rdsLoginAttemptAction: { remoteIpDetails: remote, loginAttributes: [login] } }, remote);
    }
  }
}

// The catalogue of real GuardDuty finding types the demo generator draws from, with their usual severity and shape.

/** Which resource a finding type is about. `Runtime` picks one of the resource types Runtime Monitoring reports on. */
export type ResourceKind =
  | 'Instance'
  | 'AccessKey'
  | 'S3Bucket'
  | 'EKSCluster'
  | 'Container'
  | 'RDSDBInstance'
  | 'Lambda'
  | 'ECSCluster'
  | 'Runtime';

/**
 * The `service.action` a finding type carries. `inbound`/`outbound` are NETWORK_CONNECTION with the resource as
 * target; `attack` is an outbound connection where the resource is the actor (port scans, DoS, spam).
 */
export type ActionKind = 'inbound' | 'outbound' | 'attack' | 'probe' | 'dns' | 'api' | 'k8s' | 'rds' | 'none';

/** Extra `service` detail some protection plans add: Runtime Monitoring, Malware Protection (EBS scan), attack sequences. */
export type DetailKind = 'runtime' | 'volumeScan' | 'sequence';

/** One finding type as GuardDuty emits it. */
export interface FindingTypeSpec {
  readonly type: string;
  /** GuardDuty's fixed severity for the type (for brute-force types: when the resource is the target). */
  readonly severity: number;
  /** Severity when the resource is the one attacking (brute-force types only). */
  readonly outboundSeverity?: number;
  readonly family: string;
  readonly resource: ResourceKind;
  readonly action: ActionKind;
  readonly detail?: DetailKind;
  /** Title with placeholders: {res} {kind} {ip} {domain} {api} {user} {src} {dst} {port} {risks}. */
  readonly title: string;
}

type Row = readonly [type: string, severity: number, action: ActionKind, title: string, outboundSeverity?: number];

function family(
  name: string,
  resource: ResourceKind,
  rows: readonly Row[],
  detail?: DetailKind,
): FindingTypeSpec[] {
  return rows.map(([type, severity, action, title, outboundSeverity]) => ({
    type,
    severity,
    family: name,
    resource,
    action,
    title,
    ...(outboundSeverity === undefined ? {} : { outboundSeverity }),
    ...(detail === undefined ? {} : { detail }),
  }));
}

const EC2 = family('EC2', 'Instance', [
  ['Backdoor:EC2/C&CActivity.B', 8, 'outbound', 'EC2 instance {res} is querying an IP address associated with a known command and control server.'],
  ['Backdoor:EC2/C&CActivity.B!DNS', 8, 'dns', 'EC2 instance {res} is querying a domain name associated with a known command and control server.'],
  ['Backdoor:EC2/DenialOfService.Dns', 8, 'attack', 'EC2 instance {res} is behaving in a manner that may indicate it is being used to perform a Denial of Service (DoS) attack using the DNS protocol.'],
  ['Backdoor:EC2/DenialOfService.Tcp', 8, 'attack', 'EC2 instance {res} is behaving in a manner that may indicate it is being used to perform a Denial of Service (DoS) attack using the TCP protocol.'],
  ['Backdoor:EC2/DenialOfService.Udp', 8, 'attack', 'EC2 instance {res} is behaving in a manner that may indicate it is being used to perform a Denial of Service (DoS) attack using the UDP protocol.'],
  ['Backdoor:EC2/DenialOfService.UdpOnTcpPorts', 8, 'attack', 'EC2 instance {res} is behaving in a manner that may indicate it is being used to perform a Denial of Service (DoS) attack using UDP on TCP ports.'],
  ['Backdoor:EC2/DenialOfService.UnusualProtocol', 8, 'attack', 'EC2 instance {res} is behaving in a manner that may indicate it is being used to perform a Denial of Service (DoS) attack using an unusual protocol.'],
  ['Backdoor:EC2/Spambot', 5, 'attack', 'EC2 instance {res} is behaving in a manner indicating it is being used to send spam.'],
  ['Behavior:EC2/NetworkPortUnusual', 5, 'outbound', 'EC2 instance {res} is communicating on an unusual server port {port}.'],
  ['Behavior:EC2/TrafficVolumeUnusual', 5, 'outbound', 'EC2 instance {res} is generating unusually large amounts of network traffic to {ip}.'],
  ['CryptoCurrency:EC2/BitcoinTool.B', 8, 'outbound', 'EC2 instance {res} is querying an IP address that is associated with cryptocurrency-related activity.'],
  ['CryptoCurrency:EC2/BitcoinTool.B!DNS', 8, 'dns', 'EC2 instance {res} is querying a domain name that is associated with cryptocurrency-related activity.'],
  ['DefenseEvasion:EC2/UnusualDNSResolver', 5, 'outbound', 'EC2 instance {res} is communicating with an unusual public DNS resolver {ip}.'],
  ['DefenseEvasion:EC2/UnusualDoHActivity', 5, 'outbound', 'EC2 instance {res} is performing unusual DNS over HTTPS (DoH) communication with {ip}.'],
  ['DefenseEvasion:EC2/UnusualDoTActivity', 5, 'outbound', 'EC2 instance {res} is performing unusual DNS over TLS (DoT) communication with {ip}.'],
  ['Impact:EC2/AbusedDomainRequest.Reputation', 5, 'dns', 'EC2 instance {res} is querying a low reputation domain name that is associated with known abused domains.'],
  ['Impact:EC2/BitcoinDomainRequest.Reputation', 8, 'dns', 'EC2 instance {res} is querying a low reputation domain name that is associated with cryptocurrency-related activity.'],
  ['Impact:EC2/MaliciousDomainRequest.Reputation', 8, 'dns', 'EC2 instance {res} is querying a low reputation domain name that is associated with known malicious domains.'],
  ['Impact:EC2/PortSweep', 8, 'attack', 'EC2 instance {res} is performing a port sweep on remote host {ip}.'],
  ['Impact:EC2/SuspiciousDomainRequest.Reputation', 5, 'dns', 'EC2 instance {res} is querying a low reputation domain name that is suspicious in nature.'],
  ['Impact:EC2/WinRMBruteForce', 2, 'inbound', '{src} is performing WinRM brute force attacks against {dst}.', 8],
  ['Recon:EC2/PortProbeEMRUnprotectedPort', 8, 'probe', 'An unprotected EMR-related port on EC2 instance {res} is being probed.'],
  ['Recon:EC2/PortProbeUnprotectedPort', 2, 'probe', 'Unprotected port on EC2 instance {res} is being probed.'],
  ['Recon:EC2/Portscan', 5, 'attack', 'EC2 instance {res} is performing outbound port scans against remote host {ip}.'],
  ['Trojan:EC2/BlackholeTraffic', 5, 'outbound', 'EC2 instance {res} is attempting to communicate with a black hole IP address {ip}.'],
  ['Trojan:EC2/BlackholeTraffic!DNS', 5, 'dns', 'Blackholed domain name queried by EC2 instance {res}.'],
  ['Trojan:EC2/DGADomainRequest.B', 8, 'dns', 'EC2 instance {res} is querying algorithmically generated domains.'],
  ['Trojan:EC2/DGADomainRequest.C!DNS', 8, 'dns', 'EC2 instance {res} is querying algorithmically generated domains.'],
  ['Trojan:EC2/DNSDataExfiltration', 8, 'dns', 'EC2 instance {res} is attempting to exfiltrate data through DNS queries.'],
  ['Trojan:EC2/DriveBySourceTraffic!DNS', 5, 'dns', 'EC2 instance {res} is querying a domain name of a remote host that is a known source of Drive-By download attacks.'],
  ['Trojan:EC2/DropPoint', 5, 'outbound', 'EC2 instance {res} is attempting to communicate with a remote host {ip} that is known to hold stolen credentials.'],
  ['Trojan:EC2/DropPoint!DNS', 8, 'dns', 'EC2 instance {res} is querying a domain name of a remote host that is known to hold stolen credentials.'],
  ['Trojan:EC2/PhishingDomainRequest!DNS', 8, 'dns', 'EC2 instance {res} is querying domains involved in phishing attacks.'],
  ['UnauthorizedAccess:EC2/MaliciousIPCaller.Custom', 5, 'outbound', 'EC2 instance {res} is communicating with {ip}, an IP address on a custom threat list.'],
  ['UnauthorizedAccess:EC2/MetadataDNSRebind', 8, 'dns', 'EC2 instance {res} is performing DNS lookups that resolve to the instance metadata service.'],
  ['UnauthorizedAccess:EC2/RDPBruteForce', 2, 'inbound', '{src} is performing RDP brute force attacks against {dst}.', 8],
  ['UnauthorizedAccess:EC2/SSHBruteForce', 2, 'inbound', '{src} is performing SSH brute force attacks against {dst}.', 8],
  ['UnauthorizedAccess:EC2/TorClient', 8, 'outbound', 'EC2 instance {res} is making connections to a Tor Guard or an Authority node.'],
  ['UnauthorizedAccess:EC2/TorRelay', 8, 'outbound', 'EC2 instance {res} is communicating with a Tor Exit node.'],
]);

const IAM = family('IAM', 'AccessKey', [
  ['CredentialAccess:IAMUser/AnomalousBehavior', 5, 'api', 'Unusual credential access API {api} was invoked by {user}.'],
  ['DefenseEvasion:IAMUser/AnomalousBehavior', 5, 'api', 'Unusual defense evasion API {api} was invoked by {user}.'],
  ['DefenseEvasion:IAMUser/BedrockLoggingDisabled', 2, 'api', 'Amazon Bedrock model invocation logging was disabled by {user}.'],
  ['Discovery:IAMUser/AnomalousBehavior', 2, 'api', 'Unusual discovery API {api} was invoked by {user}.'],
  ['Exfiltration:IAMUser/AnomalousBehavior', 8, 'api', 'Unusual exfiltration API {api} was invoked by {user}.'],
  ['Impact:IAMUser/AnomalousBehavior', 8, 'api', 'Unusual impact API {api} was invoked by {user}.'],
  ['InitialAccess:IAMUser/AnomalousBehavior', 5, 'api', 'Unusual initial access API {api} was invoked by {user}.'],
  ['PenTest:IAMUser/KaliLinux', 5, 'api', 'API {api} was invoked from a Kali Linux computer.'],
  ['PenTest:IAMUser/ParrotLinux', 5, 'api', 'API {api} was invoked from a Parrot Security Linux computer.'],
  ['PenTest:IAMUser/PentooLinux', 5, 'api', 'API {api} was invoked from a Pentoo Linux computer.'],
  ['Persistence:IAMUser/AnomalousBehavior', 5, 'api', 'Unusual persistence API {api} was invoked by {user}.'],
  ['Policy:IAMUser/RootCredentialUsage', 2, 'api', 'API {api} was invoked using root credentials.'],
  ['Policy:IAMUser/ShortTermRootCredentialUsage', 2, 'api', 'API {api} was invoked using short-term root credentials.'],
  ['PrivilegeEscalation:IAMUser/AnomalousBehavior', 5, 'api', 'Unusual privilege escalation API {api} was invoked by {user}.'],
  ['Recon:IAMUser/MaliciousIPCaller', 5, 'api', 'Reconnaissance API {api} was invoked from a known malicious IP address {ip}.'],
  ['Recon:IAMUser/MaliciousIPCaller.Custom', 5, 'api', 'Reconnaissance API {api} was invoked from an IP address {ip} on a custom threat list.'],
  ['Recon:IAMUser/TorIPCaller', 5, 'api', 'Reconnaissance API {api} was invoked from a Tor exit node IP address {ip}.'],
  ['Stealth:IAMUser/CloudTrailLoggingDisabled', 2, 'api', 'AWS CloudTrail trail was disabled by {user}.'],
  ['Stealth:IAMUser/PasswordPolicyChange', 2, 'api', 'Password policy was weakened by {user}.'],
  ['UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B', 5, 'api', 'Multiple worldwide successful console logins were observed for {user}.'],
  ['UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS', 8, 'api', 'Credentials for instance role {user} used from another AWS account.'],
  ['UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', 8, 'api', 'Credentials for instance role {user} used from external IP address {ip}.'],
  ['UnauthorizedAccess:IAMUser/MaliciousIPCaller', 5, 'api', 'API {api} was invoked from a known malicious IP address {ip}.'],
  ['UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom', 5, 'api', 'API {api} was invoked from an IP address {ip} on a custom threat list.'],
  ['UnauthorizedAccess:IAMUser/TorIPCaller', 5, 'api', 'API {api} was invoked from a Tor exit node IP address {ip}.'],
]);

const S3 = family('S3', 'S3Bucket', [
  ['Discovery:S3/AnomalousBehavior', 2, 'api', 'Unusual S3 API {api} was invoked on bucket {res} by {user}.'],
  ['Discovery:S3/MaliciousIPCaller', 8, 'api', 'S3 API {api} was invoked from a known malicious IP address {ip}.'],
  ['Discovery:S3/MaliciousIPCaller.Custom', 8, 'api', 'S3 API {api} was invoked from an IP address {ip} on a custom threat list.'],
  ['Discovery:S3/TorIPCaller', 5, 'api', 'S3 API {api} was invoked from a Tor exit node IP address {ip}.'],
  ['Exfiltration:S3/AnomalousBehavior', 8, 'api', 'Unusual S3 API {api} was invoked on bucket {res}, possibly to exfiltrate data.'],
  ['Exfiltration:S3/MaliciousIPCaller', 8, 'api', 'S3 API {api} was invoked on bucket {res} from a known malicious IP address {ip}.'],
  ['Impact:S3/AnomalousBehavior.Delete', 8, 'api', 'Unusual S3 API {api} was invoked to delete data in bucket {res}.'],
  ['Impact:S3/AnomalousBehavior.Permission', 8, 'api', 'Unusual S3 API {api} was invoked to change permissions of bucket {res}.'],
  ['Impact:S3/AnomalousBehavior.Write', 5, 'api', 'Unusual S3 API {api} was invoked to write data to bucket {res}.'],
  ['Impact:S3/MaliciousIPCaller', 8, 'api', 'S3 API {api} was invoked from known malicious IP address {ip}.'],
  ['PenTest:S3/KaliLinux', 5, 'api', 'S3 API {api} was invoked from a Kali Linux computer.'],
  ['PenTest:S3/ParrotLinux', 5, 'api', 'S3 API {api} was invoked from a Parrot Security Linux computer.'],
  ['PenTest:S3/PentooLinux', 5, 'api', 'S3 API {api} was invoked from a Pentoo Linux computer.'],
  ['Policy:S3/AccountBlockPublicAccessDisabled', 2, 'api', 'Amazon S3 Block Public Access was disabled for the account by {user}.'],
  ['Policy:S3/BucketAnonymousAccessGranted', 8, 'api', 'Amazon S3 bucket {res} was granted access to anonymous users.'],
  ['Policy:S3/BucketBlockPublicAccessDisabled', 2, 'api', 'Amazon S3 Block Public Access was disabled for S3 bucket {res}.'],
  ['Policy:S3/BucketPublicAccessGranted', 8, 'api', 'Amazon S3 bucket {res} was made publicly accessible.'],
  ['Stealth:S3/ServerAccessLoggingDisabled', 2, 'api', 'Server access logging was disabled for S3 bucket {res}.'],
  ['UnauthorizedAccess:S3/MaliciousIPCaller.Custom', 8, 'api', 'S3 API {api} was invoked from an IP address {ip} on a custom threat list.'],
  ['UnauthorizedAccess:S3/TorIPCaller', 5, 'api', 'S3 API {api} was invoked from a Tor exit node IP address {ip}.'],
]);

const KUBERNETES = family('Kubernetes', 'EKSCluster', [
  ['CredentialAccess:Kubernetes/MaliciousIPCaller', 8, 'k8s', 'Kubernetes API used to access secrets was invoked on EKS cluster {res} from a known malicious IP address {ip}.'],
  ['CredentialAccess:Kubernetes/MaliciousIPCaller.Custom', 8, 'k8s', 'Kubernetes API used to access secrets was invoked on EKS cluster {res} from an IP address {ip} on a custom threat list.'],
  ['CredentialAccess:Kubernetes/SuccessfulAnonymousAccess', 8, 'k8s', 'Kubernetes API used to access secrets was invoked on EKS cluster {res} by an unauthenticated user.'],
  ['CredentialAccess:Kubernetes/TorIPCaller', 8, 'k8s', 'Kubernetes API used to access secrets was invoked on EKS cluster {res} from a Tor exit node IP address {ip}.'],
  ['DefenseEvasion:Kubernetes/MaliciousIPCaller', 8, 'k8s', 'Kubernetes API used to evade defenses was invoked on EKS cluster {res} from a known malicious IP address {ip}.'],
  ['DefenseEvasion:Kubernetes/SuccessfulAnonymousAccess', 8, 'k8s', 'Kubernetes API used to evade defenses was invoked on EKS cluster {res} by an unauthenticated user.'],
  ['Discovery:Kubernetes/AnomalousBehavior.PermissionChecked', 2, 'k8s', 'Unusual permission check by {user} on EKS cluster {res}.'],
  ['Discovery:Kubernetes/MaliciousIPCaller', 5, 'k8s', 'Kubernetes discovery API was invoked on EKS cluster {res} from a known malicious IP address {ip}.'],
  ['Discovery:Kubernetes/SuccessfulAnonymousAccess', 5, 'k8s', 'Kubernetes discovery API was invoked on EKS cluster {res} by an unauthenticated user.'],
  ['Discovery:Kubernetes/TorIPCaller', 5, 'k8s', 'Kubernetes discovery API was invoked on EKS cluster {res} from a Tor exit node IP address {ip}.'],
  ['Execution:Kubernetes/AnomalousBehavior.ExecInPod', 5, 'k8s', 'Unusual command executed inside a pod by {user} on EKS cluster {res}.'],
  ['Execution:Kubernetes/ExecInKubeSystemPod', 5, 'k8s', 'Command executed inside a pod in kube-system namespace.'],
  ['Impact:Kubernetes/MaliciousIPCaller', 8, 'k8s', 'Kubernetes API used to tamper with resources was invoked on EKS cluster {res} from a known malicious IP address {ip}.'],
  ['Persistence:Kubernetes/ContainerWithSensitiveMount', 5, 'k8s', 'Container launched with a sensitive external host path mounted inside on EKS cluster {res}.'],
  ['Persistence:Kubernetes/SuccessfulAnonymousAccess', 8, 'k8s', 'Kubernetes API used to obtain persistence was invoked on EKS cluster {res} by an unauthenticated user.'],
  ['Policy:Kubernetes/AdminAccessToDefaultServiceAccount', 8, 'k8s', 'Default service account granted admin privileges on EKS cluster {res}.'],
  ['Policy:Kubernetes/AnonymousAccessGranted', 8, 'k8s', 'The system:anonymous user was granted API permission on EKS cluster {res}.'],
  ['Policy:Kubernetes/ExposedDashboard', 5, 'k8s', 'The Kubernetes dashboard for EKS cluster {res} was exposed to the internet.'],
  ['PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleBindingCreated', 5, 'k8s', 'Unusual role binding with permissive role created by {user} on EKS cluster {res}.'],
  ['PrivilegeEscalation:Kubernetes/PrivilegedContainer', 5, 'k8s', 'Privileged container with root level access launched on EKS cluster {res}.'],
]);

const RDS = family('RDS', 'RDSDBInstance', [
  ['CredentialAccess:RDS/AnomalousBehavior.FailedLogin', 2, 'rds', 'Unusual failed login attempts by {user} observed on RDS instance {res}.'],
  ['CredentialAccess:RDS/AnomalousBehavior.SuccessfulBruteForce', 8, 'rds', 'Successful login after unusual failed login attempts by {user} observed on RDS instance {res}.'],
  ['CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin', 8, 'rds', 'Unusual successful login by {user} observed on RDS instance {res}.'],
  ['CredentialAccess:RDS/MaliciousIPCaller.FailedLoginAttempt', 5, 'rds', 'Failed login attempt from known malicious IP address {ip} on RDS instance {res}.'],
  ['CredentialAccess:RDS/MaliciousIPCaller.SuccessfulLogin', 8, 'rds', 'Successful login from known malicious IP address {ip} on RDS instance {res}.'],
  ['CredentialAccess:RDS/TorIPCaller.FailedLoginAttempt', 5, 'rds', 'Failed login attempt from a Tor exit node IP address {ip} on RDS instance {res}.'],
  ['CredentialAccess:RDS/TorIPCaller.SuccessfulLogin', 8, 'rds', 'Successful login from a Tor exit node IP address {ip} on RDS instance {res}.'],
  ['Discovery:RDS/MaliciousIPCaller', 5, 'rds', 'Known malicious IP address {ip} probed RDS instance {res} without authenticating.'],
  ['Discovery:RDS/TorIPCaller', 5, 'rds', 'Tor exit node IP address {ip} probed RDS instance {res} without authenticating.'],
]);

const RUNTIME = family('Runtime', 'Runtime', [
  ['Backdoor:Runtime/C&CActivity.B', 8, 'outbound', 'A process in {kind} {res} is querying an IP address associated with a known command and control server.'],
  ['Backdoor:Runtime/C&CActivity.B!DNS', 8, 'dns', 'A process in {kind} {res} is querying a domain name associated with a known command and control server.'],
  ['CryptoCurrency:Runtime/BitcoinTool.B', 8, 'outbound', 'A process in {kind} {res} is querying an IP address associated with cryptocurrency-related activity.'],
  ['CryptoCurrency:Runtime/BitcoinTool.B!DNS', 8, 'dns', 'A process in {kind} {res} is querying a domain name associated with cryptocurrency-related activity.'],
  ['DefenseEvasion:Runtime/FilelessExecution', 5, 'none', 'A fileless process was executed in {kind} {res}.'],
  ['DefenseEvasion:Runtime/ProcessInjection.Proc', 8, 'none', 'A process injection using the proc filesystem was detected in {kind} {res}.'],
  ['DefenseEvasion:Runtime/ProcessInjection.Ptrace', 8, 'none', 'A process injection using the ptrace system call was detected in {kind} {res}.'],
  ['DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite', 8, 'none', 'A process injection using virtual memory write was detected in {kind} {res}.'],
  ['DefenseEvasion:Runtime/SuspiciousCommand', 8, 'none', 'A suspicious command used to evade defenses was executed in {kind} {res}.'],
  ['Discovery:Runtime/SuspiciousCommand', 2, 'none', 'A suspicious discovery command was executed in {kind} {res}.'],
  ['Execution:Runtime/MaliciousFileExecuted', 8, 'none', 'A known malicious executable file was executed in {kind} {res}.'],
  ['Execution:Runtime/NewBinaryExecuted', 5, 'none', 'A newly created or recently modified binary was executed in {kind} {res}.'],
  ['Execution:Runtime/NewLibraryLoaded', 5, 'none', 'A newly created or recently modified library was loaded in {kind} {res}.'],
  ['Execution:Runtime/ReverseShell', 8, 'none', 'A process in {kind} {res} has created a reverse shell.'],
  ['Execution:Runtime/SuspiciousCommand', 5, 'none', 'A suspicious command was executed in {kind} {res}.'],
  ['Execution:Runtime/SuspiciousTool', 5, 'none', 'A suspicious tool was executed in {kind} {res}.'],
  ['Impact:Runtime/AbusedDomainRequest.Reputation', 5, 'dns', 'A process in {kind} {res} is querying a low reputation domain name associated with known abused domains.'],
  ['Impact:Runtime/BitcoinDomainRequest.Reputation', 8, 'dns', 'A process in {kind} {res} is querying a low reputation domain name associated with cryptocurrency-related activity.'],
  ['Impact:Runtime/CryptoMinerExecuted', 8, 'none', 'A cryptocurrency miner was executed in {kind} {res}.'],
  ['Impact:Runtime/MaliciousDomainRequest.Reputation', 8, 'dns', 'A process in {kind} {res} is querying a low reputation domain name associated with known malicious domains.'],
  ['Impact:Runtime/SuspiciousDomainRequest.Reputation', 5, 'dns', 'A process in {kind} {res} is querying a low reputation domain name that is suspicious in nature.'],
  ['Persistence:Runtime/SuspiciousCommand', 5, 'none', 'A suspicious command used to obtain persistence was executed in {kind} {res}.'],
  ['PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified', 8, 'none', 'An attempt to modify the CGroups release agent file was detected in {kind} {res}.'],
  ['PrivilegeEscalation:Runtime/ContainerMountsHostDirectory', 5, 'none', 'A container in {kind} {res} has mounted a sensitive host directory.'],
  ['PrivilegeEscalation:Runtime/DockerSocketAccessed', 5, 'none', 'A container is communicating with a docker socket.'],
  ['PrivilegeEscalation:Runtime/ElevationToRoot', 5, 'none', 'A process in {kind} {res} has elevated its privileges to root.'],
  ['PrivilegeEscalation:Runtime/RuncContainerEscape', 8, 'none', 'An attempt to escape the container via runc was detected in {kind} {res}.'],
  ['PrivilegeEscalation:Runtime/UserfaultfdUsage', 5, 'none', 'A process in {kind} {res} used userfaultfd system calls.'],
  ['Trojan:Runtime/BlackholeTraffic', 5, 'outbound', 'A process in {kind} {res} is attempting to communicate with a black hole IP address {ip}.'],
  ['Trojan:Runtime/BlackholeTraffic!DNS', 5, 'dns', 'A process in {kind} {res} is querying a blackholed domain name.'],
  ['Trojan:Runtime/DGADomainRequest.C!DNS', 8, 'dns', 'A process in {kind} {res} is querying algorithmically generated domains.'],
  ['Trojan:Runtime/DriveBySourceTraffic!DNS', 5, 'dns', 'A process in {kind} {res} is querying a domain name that is a known source of Drive-By download attacks.'],
  ['Trojan:Runtime/DropPoint', 5, 'outbound', 'A process in {kind} {res} is communicating with a remote host {ip} known to hold stolen credentials.'],
  ['Trojan:Runtime/DropPoint!DNS', 8, 'dns', 'A process in {kind} {res} is querying a domain name of a remote host known to hold stolen credentials.'],
  ['Trojan:Runtime/PhishingDomainRequest!DNS', 8, 'dns', 'A process in {kind} {res} is querying domains involved in phishing attacks.'],
  ['UnauthorizedAccess:Runtime/MetadataDNSRebind', 8, 'dns', 'A process in {kind} {res} is performing DNS lookups that resolve to the instance metadata service.'],
  ['UnauthorizedAccess:Runtime/TorClient', 8, 'outbound', 'A process in {kind} {res} is making connections to a Tor Guard or an Authority node.'],
  ['UnauthorizedAccess:Runtime/TorRelay', 8, 'outbound', 'A process in {kind} {res} is communicating with a Tor Exit node.'],
], 'runtime');

const MALWARE: FindingTypeSpec[] = [
  ...family('Malware', 'Instance', [
    ['Execution:EC2/MaliciousFile', 8, 'none', '{risks} security risk(s) detected including a malicious file on EC2 instance {res}.'],
    ['Execution:EC2/SuspiciousFile', 5, 'none', '{risks} security risk(s) detected including a suspicious file on EC2 instance {res}.'],
  ], 'volumeScan'),
  ...family('Malware', 'ECSCluster', [
    ['Execution:ECS/MaliciousFile', 8, 'none', '{risks} security risk(s) detected including a malicious file on ECS cluster {res}.'],
    ['Execution:ECS/SuspiciousFile', 5, 'none', '{risks} security risk(s) detected including a suspicious file on ECS cluster {res}.'],
  ], 'volumeScan'),
  ...family('Malware', 'EKSCluster', [
    ['Execution:Kubernetes/MaliciousFile', 8, 'none', '{risks} security risk(s) detected including a malicious file on EKS cluster {res}.'],
    ['Execution:Kubernetes/SuspiciousFile', 5, 'none', '{risks} security risk(s) detected including a suspicious file on EKS cluster {res}.'],
  ], 'volumeScan'),
  ...family('Malware', 'Container', [
    ['Execution:Container/MaliciousFile', 8, 'none', '{risks} security risk(s) detected including a malicious file on Container {res}.'],
    ['Execution:Container/SuspiciousFile', 5, 'none', '{risks} security risk(s) detected including a suspicious file on Container {res}.'],
  ], 'volumeScan'),
];

const LAMBDA = family('Lambda', 'Lambda', [
  ['Backdoor:Lambda/C&CActivity.B', 8, 'outbound', 'Lambda function {res} is querying an IP address associated with a known command and control server.'],
  ['CryptoCurrency:Lambda/BitcoinTool.B', 8, 'outbound', 'Lambda function {res} is querying an IP address associated with cryptocurrency-related activity.'],
  ['Trojan:Lambda/BlackholeTraffic', 5, 'outbound', 'Lambda function {res} is attempting to communicate with a black hole IP address {ip}.'],
  ['Trojan:Lambda/DropPoint', 5, 'outbound', 'Lambda function {res} is communicating with a remote host {ip} known to hold stolen credentials.'],
  ['UnauthorizedAccess:Lambda/MaliciousIPCaller.Custom', 5, 'outbound', 'Lambda function {res} is communicating with {ip}, an IP address on a custom threat list.'],
  ['UnauthorizedAccess:Lambda/TorClient', 8, 'outbound', 'Lambda function {res} is making connections to a Tor Guard or an Authority node.'],
  ['UnauthorizedAccess:Lambda/TorRelay', 8, 'outbound', 'Lambda function {res} is communicating with a Tor Exit node.'],
]);

/** Attack sequences (Extended Threat Detection): the only Critical findings. */
export const ATTACK_SEQUENCES: readonly FindingTypeSpec[] = [
  ...family('AttackSequence', 'AccessKey', [['AttackSequence:IAM/CompromisedCredentials', 9, 'none', 'Potential credential compromise of IAMUser/{user} indicated by a sequence of actions.']], 'sequence'),
  ...family('AttackSequence', 'S3Bucket', [['AttackSequence:S3/CompromisedData', 9, 'none', 'Potential data compromise of one or more S3 buckets indicated by a sequence of actions involving IAMUser/{user}.']], 'sequence'),
  ...family('AttackSequence', 'EKSCluster', [['AttackSequence:EKS/CompromisedCluster', 9, 'none', 'Potential compromise of EKS cluster {res} indicated by a sequence of actions.']], 'sequence'),
  ...family('AttackSequence', 'Instance', [['AttackSequence:EC2/CompromisedInstanceGroup', 9, 'none', 'Potential compromise of EC2 instance group including {res} indicated by a sequence of actions.']], 'sequence'),
];

/** Single-signal finding types, grouped by protection plan, in the order the round robin visits them. */
export const FAMILIES: readonly (readonly FindingTypeSpec[])[] = [EC2, IAM, RUNTIME, S3, KUBERNETES, RDS, MALWARE, LAMBDA];

/** The types a typical organisation sees most, most frequent first; the rest follow round-robin by family. */
export const MOST_FREQUENT: readonly string[] = [
  'Recon:EC2/PortProbeUnprotectedPort',
  'UnauthorizedAccess:EC2/SSHBruteForce',
  'Policy:IAMUser/RootCredentialUsage',
  'UnauthorizedAccess:EC2/RDPBruteForce',
  'Recon:IAMUser/MaliciousIPCaller',
  'Discovery:IAMUser/AnomalousBehavior',
  'Behavior:EC2/NetworkPortUnusual',
  'UnauthorizedAccess:EC2/TorClient',
  'Policy:S3/BucketBlockPublicAccessDisabled',
  'Trojan:EC2/BlackholeTraffic!DNS',
  'Execution:Runtime/NewBinaryExecuted',
  'CryptoCurrency:EC2/BitcoinTool.B!DNS',
  'Impact:EC2/SuspiciousDomainRequest.Reputation',
  'Discovery:Kubernetes/AnomalousBehavior.PermissionChecked',
  'CredentialAccess:RDS/AnomalousBehavior.FailedLogin',
  'Recon:EC2/Portscan',
  'Stealth:IAMUser/CloudTrailLoggingDisabled',
  'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
  'Execution:EC2/MaliciousFile',
  'UnauthorizedAccess:Lambda/TorClient',
];

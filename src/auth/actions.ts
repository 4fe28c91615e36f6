// Yagura's actions: the `yagura:VerbNoun` names a policy grants, the resource each one acts on and its condition
// keys, in the manner of AWS's Service Authorization Reference. One table; docs/authorization.md lists it.

/** What an action's `Resource` element is matched against. */
export type ResourceType =
  /** `arn:aws:guardduty:REGION:ACCOUNT:detector/DETECTOR/finding/ID`: reads are compiled into a scope on the store query. */
  | 'finding'
  /** `arn:yagura:alerts:::rule/ID` */
  | 'alert-rule'
  /** `arn:yagura:alerts:::destination/ID` */
  | 'alert-destination'
  /** `arn:yagura:alerts:::delivery/ID` */
  | 'alert-delivery'
  /** `arn:yagura:iam:::user/NAME` */
  | 'user'
  /** `arn:yagura:iam:::group/NAME` */
  | 'group'
  /** `arn:yagura:iam:::role/NAME` */
  | 'role'
  /** `arn:yagura:iam:::policy/NAME` */
  | 'policy'
  /** `arn:yagura:iam:::key/ID` */
  | 'key'
  /** `arn:yagura:sts:::session/ACCESS_KEY_ID`: temporary credentials issued by the STS endpoint. */
  | 'role-session'
  /** `arn:yagura:catalog:::catalog`: the account catalog as a whole (its listing of groups, its resource policy). */
  | 'catalog'
  /** `arn:yagura:catalog:::group/NAME`: an account group. */
  | 'catalog-group'
  /** `arn:yagura:catalog:::account/GROUP/ACCOUNT_ID`: an AWS account in its group. */
  | 'catalog-account'
  /** `arn:yagura:retention:::legal-hold/ID`: a legal hold on findings. */
  | 'legal-hold'
  /** `*`: the action concerns the service as a whole (metrics, rate-limit blocks, the simulator). */
  | 'service';

export interface ActionDefinition {
  readonly name: `yagura:${string}`;
  readonly description: string;
  readonly resource: ResourceType;
  /** Keys a `Condition` can test for this action, besides the global ones (`aws:SourceIp`, `aws:CurrentTime`, …). */
  readonly conditionKeys: readonly string[];
}

const FINDING_KEYS = ['aws:ResourceAccount', 'aws:RequestedRegion', 'aws:ResourceTag/${TagKey}', 'yagura:FindingType', 'yagura:FindingSeverity', 'yagura:SeverityBand'];

const CATALOG_KEYS = ['aws:ResourceArn', 'aws:ResourceTag/${TagKey}'];
/** Resources with an owner (alert rules): the principal that made them, as its `aws:PrincipalArn` was then. */
const OWNED_KEYS = ['yagura:ResourceOwner'];
const ACCOUNT_KEYS = ['aws:ResourceAccount', 'aws:ResourceArn', 'aws:ResourceTag/${TagKey}'];

function action(name: `yagura:${string}`, resource: ResourceType, description: string, conditionKeys: readonly string[] = []): ActionDefinition {
  return { name, description, resource, conditionKeys };
}

/** Every action Yagura checks, by name. */
export const ACTIONS = {
  IngestFindings: action('yagura:IngestFindings', 'finding', 'Store findings sent to POST /api/v1/events; each finding is checked against its own ARN.', FINDING_KEYS),
  SearchFindings: action('yagura:SearchFindings', 'finding', 'Search findings (KQL, time range, pages).', FINDING_KEYS),
  AggregateFindings: action('yagura:AggregateFindings', 'finding', 'Count and aggregate findings (the overview, field counts).', FINDING_KEYS),
  ExportFindings: action('yagura:ExportFindings', 'finding', 'Export every finding a query selects as NDJSON or CSV (streamed; the audit log records the count and bytes).', FINDING_KEYS),
  GetFinding: action('yagura:GetFinding', 'finding', 'Read one finding with its history.', FINDING_KEYS),
  StreamFindings: action('yagura:StreamFindings', 'finding', 'Follow new and updated findings live (Server-Sent Events).', FINDING_KEYS),
  ArchiveFindings: action('yagura:ArchiveFindings', 'finding', "Mark a finding archived in Yagura.", FINDING_KEYS),
  UnarchiveFindings: action('yagura:UnarchiveFindings', 'finding', 'Mark an archived finding open again.', FINDING_KEYS),
  EraseFindings: action('yagura:EraseFindings', 'finding', 'Erase findings from the store, alerting and the archive (right to erasure), and follow those erasures.', FINDING_KEYS),
  ListAlertRules: action('yagura:ListAlertRules', 'alert-rule', 'List alert rules: those the caller may GetAlertRule.'),
  GetAlertRule: action('yagura:GetAlertRule', 'alert-rule', 'Read one alert rule.', OWNED_KEYS),
  PutAlertRule: action('yagura:PutAlertRule', 'alert-rule', 'Create or change an alert rule.', OWNED_KEYS),
  DeleteAlertRule: action('yagura:DeleteAlertRule', 'alert-rule', 'Delete an alert rule.', OWNED_KEYS),
  DryRunAlertRule: action('yagura:DryRunAlertRule', 'alert-rule', 'List the findings a rule would have alerted on.', OWNED_KEYS),
  ListAlertDestinations: action('yagura:ListAlertDestinations', 'alert-destination', 'List alert destinations (targets redacted).'),
  GetAlertDestination: action('yagura:GetAlertDestination', 'alert-destination', 'Read one alert destination (target redacted).'),
  PutAlertDestination: action('yagura:PutAlertDestination', 'alert-destination', 'Create or change an alert destination.'),
  DeleteAlertDestination: action('yagura:DeleteAlertDestination', 'alert-destination', 'Delete an alert destination.'),
  TestAlertDestination: action('yagura:TestAlertDestination', 'alert-destination', 'Send a test message to a destination.'),
  SendAlert: action('yagura:SendAlert', 'alert-destination', 'Send one finding to a destination by hand (the finding must be readable too).'),
  ListAlertDeliveries: action('yagura:ListAlertDeliveries', 'alert-delivery', 'Read the alert delivery log.'),
  GetAlertDelivery: action('yagura:GetAlertDelivery', 'alert-delivery', 'Read one alert delivery.'),
  RetryAlertDelivery: action('yagura:RetryAlertDelivery', 'alert-delivery', 'Send a dead-lettered alert again.'),
  DeleteAlertDelivery: action('yagura:DeleteAlertDelivery', 'alert-delivery', 'Remove an alert delivery from the log.'),
  ListUsers: action('yagura:ListUsers', 'user', 'List users.'),
  GetUser: action('yagura:GetUser', 'user', 'Read one user: groups, attached policies, tags (never the password).'),
  CreateUser: action('yagura:CreateUser', 'user', 'Create a user.'),
  UpdateUser: action('yagura:UpdateUser', 'user', "Replace a user's groups, policies, tags or password."),
  DeleteUser: action('yagura:DeleteUser', 'user', 'Delete a user; its keys are revoked and its sessions end.'),
  ListGroups: action('yagura:ListGroups', 'group', 'List groups.'),
  GetGroup: action('yagura:GetGroup', 'group', 'Read one group: members and attached policies.'),
  CreateGroup: action('yagura:CreateGroup', 'group', 'Create a group.'),
  UpdateGroup: action('yagura:UpdateGroup', 'group', "Replace a group's attached policies."),
  DeleteGroup: action('yagura:DeleteGroup', 'group', 'Delete a group; what it granted ends at the next request.'),
  ListRoles: action('yagura:ListRoles', 'role', 'List roles.'),
  GetRole: action('yagura:GetRole', 'role', 'Read one role.'),
  CreateRole: action('yagura:CreateRole', 'role', 'Create a role.'),
  UpdateRole: action('yagura:UpdateRole', 'role', "Replace a role's description, tags and attached policies."),
  DeleteRole: action('yagura:DeleteRole', 'role', "Delete a role; its keys are revoked."),
  ListPolicies: action('yagura:ListPolicies', 'policy', 'List managed policies.'),
  GetPolicy: action('yagura:GetPolicy', 'policy', 'Read one managed policy document.'),
  CreatePolicy: action('yagura:CreatePolicy', 'policy', 'Create a managed policy.'),
  PutPolicy: action('yagura:PutPolicy', 'policy', "Replace a managed policy's document."),
  DeletePolicy: action('yagura:DeletePolicy', 'policy', 'Delete a managed policy that is attached to nothing.'),
  ListKeys: action('yagura:ListKeys', 'key', 'List API keys (never their secrets).'),
  CreateKey: action('yagura:CreateKey', 'key', 'Create an API key for a user or role.'),
  DeleteKey: action('yagura:DeleteKey', 'key', 'Revoke an API key.'),
  ListRoleSessions: action('yagura:ListRoleSessions', 'role-session', 'List temporary credentials that have not expired (never their secrets).'),
  RevokeRoleSession: action('yagura:RevokeRoleSession', 'role-session', 'Revoke temporary credentials at once (the dashboard sessions opened with them end too).'),
  GetDirectoryRoleMap: action('yagura:GetDirectoryRoleMap', 'service', 'Read which LDAP/AD user and group DNs map to which roles.'),
  PutDirectoryRoleMap: action('yagura:PutDirectoryRoleMap', 'service', 'Replace the LDAP/AD role map entries kept in Yagura (those of the configuration stay).'),
  GetCatalog: action('yagura:GetCatalog', 'catalog', 'Read the account catalog itself (its ARN, whether it has a resource policy).'),
  GetCatalogGroups: action('yagura:GetCatalogGroups', 'catalog', 'List account groups; only those allowed yagura:GetCatalogGroup are shown.'),
  GetCatalogGroup: action('yagura:GetCatalogGroup', 'catalog-group', 'Read one account group (and see it in listings).', CATALOG_KEYS),
  PutCatalogGroup: action('yagura:PutCatalogGroup', 'catalog-group', "Create an account group or replace its tags.", CATALOG_KEYS),
  DeleteCatalogGroup: action('yagura:DeleteCatalogGroup', 'catalog-group', 'Delete an empty account group.', CATALOG_KEYS),
  GetCatalogAccounts: action('yagura:GetCatalogAccounts', 'catalog-group', "List a group's accounts (needs the catalog and the group); only those allowed yagura:GetCatalogAccount are shown.", CATALOG_KEYS),
  GetCatalogAccount: action('yagura:GetCatalogAccount', 'catalog-account', 'Read one account of the catalog (and see it in listings).', ACCOUNT_KEYS),
  PutCatalogAccount: action('yagura:PutCatalogAccount', 'catalog-account', "Put an account in a group, name and tag it (moving needs the account's old and new ARN).", ACCOUNT_KEYS),
  GetCatalogPolicy: action('yagura:GetCatalogPolicy', 'catalog', "Read the catalog's resource policy."),
  PutCatalogPolicy: action('yagura:PutCatalogPolicy', 'catalog', "Replace the catalog's resource policy."),
  DeleteCatalogPolicy: action('yagura:DeleteCatalogPolicy', 'catalog', "Remove the catalog's resource policy."),
  GetRetentionPolicy: action('yagura:GetRetentionPolicy', 'service', 'Read the retention policy in effect (its rules, default and where it comes from).'),
  PutRetentionPolicy: action('yagura:PutRetentionPolicy', 'service', 'Replace the retention policy: how long findings stay in the store and the archive.'),
  GetRetentionPlan: action('yagura:GetRetentionPlan', 'service', "See what the next retention pass would remove: counts per rule over every account's findings, and the oldest kept."),
  ListLegalHolds: action('yagura:ListLegalHolds', 'legal-hold', 'List legal holds (active, and lifted ones on request) and read one.'),
  CreateLegalHold: action('yagura:CreateLegalHold', 'legal-hold', 'Place a legal hold on the findings a KQL query selects or on an account: retention never removes them while it stands.'),
  LiftLegalHold: action('yagura:LiftLegalHold', 'legal-hold', 'Lift a legal hold; the findings it kept are removed by the next pass once their retention has passed.'),
  GetMetrics: action('yagura:GetMetrics', 'service', 'Scrape /metrics from another host than the server itself.'),
  ListSources: action('yagura:ListSources', 'service', "See every source's state, counts, recent errors, and the accounts and regions each has heard from."),
  GetRateLimitBlocks: action('yagura:GetRateLimitBlocks', 'service', 'See the sources the rate-based rules currently refuse.'),
  SearchAuditLog: action('yagura:SearchAuditLog', 'service', 'Search the audit log of API calls.'),
  SimulatePolicy: action('yagura:SimulatePolicy', 'service', 'Decide a request against given policies with the policy simulator (like iam:SimulateCustomPolicy).'),
} as const satisfies Record<string, ActionDefinition>;

export type ActionName = (typeof ACTIONS)[keyof typeof ACTIONS]['name'];

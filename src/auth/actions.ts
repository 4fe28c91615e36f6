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

function action(name: `yagura:${string}`, resource: ResourceType, description: string, conditionKeys: readonly string[] = []): ActionDefinition {
  return { name, description, resource, conditionKeys };
}

/** Every action Yagura checks, by name. */
export const ACTIONS = {
  IngestFindings: action('yagura:IngestFindings', 'finding', 'Store findings sent to POST /api/v1/events; each finding is checked against its own ARN.', FINDING_KEYS),
  SearchFindings: action('yagura:SearchFindings', 'finding', 'Search findings (KQL, time range, pages).', FINDING_KEYS),
  AggregateFindings: action('yagura:AggregateFindings', 'finding', 'Count and aggregate findings (the overview, field counts).', FINDING_KEYS),
  GetFinding: action('yagura:GetFinding', 'finding', 'Read one finding with its history.', FINDING_KEYS),
  StreamFindings: action('yagura:StreamFindings', 'finding', 'Follow new and updated findings live (Server-Sent Events).', FINDING_KEYS),
  ArchiveFindings: action('yagura:ArchiveFindings', 'finding', "Mark a finding archived in Yagura.", FINDING_KEYS),
  UnarchiveFindings: action('yagura:UnarchiveFindings', 'finding', 'Mark an archived finding open again.', FINDING_KEYS),
  ListAlertRules: action('yagura:ListAlertRules', 'alert-rule', 'List alert rules.'),
  GetAlertRule: action('yagura:GetAlertRule', 'alert-rule', 'Read one alert rule.'),
  PutAlertRule: action('yagura:PutAlertRule', 'alert-rule', 'Create or change an alert rule.'),
  DeleteAlertRule: action('yagura:DeleteAlertRule', 'alert-rule', 'Delete an alert rule.'),
  DryRunAlertRule: action('yagura:DryRunAlertRule', 'alert-rule', 'List the findings a rule would have alerted on.'),
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
  GetMetrics: action('yagura:GetMetrics', 'service', 'Scrape /metrics from another host than the server itself.'),
  GetRateLimitBlocks: action('yagura:GetRateLimitBlocks', 'service', 'See the sources the rate-based rules currently refuse.'),
  SimulatePolicy: action('yagura:SimulatePolicy', 'service', 'Decide a request against given policies with the policy simulator (like iam:SimulateCustomPolicy).'),
} as const satisfies Record<string, ActionDefinition>;

export type ActionName = (typeof ACTIONS)[keyof typeof ACTIONS]['name'];

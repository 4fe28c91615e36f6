// Recognises Security Hub findings (ASFF), which people send by mistake, so that they are refused by name.
import { rejection, type FindingRejection } from '../findings/finding-error.js';

const SEND_INSTEAD = "send GuardDuty's own EventBridge events (detail-type \"GuardDuty Finding\") or its S3 export instead";

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** ASFF's required `ProductArn` with one of its other required fields; GuardDuty's own keys are camelCase. */
export function isAsffFinding(value: unknown): boolean {
  return isObject(value)
    && Object.hasOwn(value, 'ProductArn')
    && (Object.hasOwn(value, 'Types') || Object.hasOwn(value, 'SchemaVersion') || Object.hasOwn(value, 'AwsAccountId'));
}

/** A Security Hub `GetFindings`/`BatchImportFindings` body: `{"Findings":[ASFF…]}`. */
export function isAsffPage(value: Record<string, unknown>): boolean {
  return Array.isArray(value.Findings) && value.Findings.some(isAsffFinding);
}

/** An EventBridge event from Security Hub carrying findings (`Security Hub Findings - Imported`, `- Custom Action`). */
export function isSecurityHubFindingsEvent(source: unknown, detailType: unknown): boolean {
  return source === 'aws.securityhub' && typeof detailType === 'string' && detailType.startsWith('Security Hub Findings');
}

/**
 * Why an ASFF document is refused. Yagura does not map GuardDuty's ASFF form back: ASFF flattens the finding
 * (`ProductFields` holds strings, lists are cut), so a finding stored from it would lose data and then compete,
 * as another version, with the same finding in GuardDuty's own form.
 */
export function securityHubRejection(finding?: unknown): FindingRejection {
  const product = isObject(finding) && typeof finding.ProductName === 'string' ? finding.ProductName.slice(0, 64) : undefined;
  const what = product === undefined || product === 'GuardDuty'
    ? 'a Security Hub finding (ASFF), not a GuardDuty finding in GuardDuty\'s own format'
    : `a Security Hub finding (ASFF) from "${product}", not a GuardDuty finding`;
  return rejection('SECURITY_HUB_FINDING', `this is ${what}: Yagura stores GuardDuty findings as GuardDuty writes them; ${SEND_INSTEAD}`);
}

// AWS STS's XML answers (namespace 2011-06-15), which the AWS SDKs' STS clients parse.
import { XMLBuilder } from 'fast-xml-parser';
import type { StsError } from '../../../auth/sts/sts-error.js';

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

// The builder escapes text; every value here may hold a caller's text (a session name, a user name).
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

type XmlValue = string | number | { readonly [name: string]: XmlValue };

/** `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse>` */
export function stsResponse(action: string, result: Readonly<Record<string, XmlValue>>, requestId: string): string {
  return builder.build({
    [`${action}Response`]: {
      '@_xmlns': STS_NAMESPACE,
      [`${action}Result`]: result,
      ResponseMetadata: { RequestId: requestId },
    },
  }) as string;
}

/** `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` */
export function stsErrorResponse(error: StsError, requestId: string): string {
  return builder.build({
    ErrorResponse: {
      '@_xmlns': STS_NAMESPACE,
      Error: { Type: error.status >= 500 ? 'Receiver' : 'Sender', Code: error.code, Message: error.message },
      RequestId: requestId,
    },
  }) as string;
}

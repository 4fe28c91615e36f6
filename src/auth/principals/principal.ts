// Who is calling, as the authorization hook sees it: an ARN, tags, and the identity policies in effect.
import type { Policy } from '../policy/document.js';
import type { Tags } from './records.js';

export interface Principal {
  readonly arn: string;
  readonly kind: 'user' | 'role';
  readonly name: string;
  /** Set for users: `aws:username`. */
  readonly username?: string;
  readonly tags: Tags;
  /** Identity policies in effect: a user's own and its groups'; a role's. */
  readonly policies: readonly Policy[];
  /** The key the request presented or the session was opened with. */
  readonly keyId?: string;
  readonly keyPrefix?: string;
  /** Set when the request came with a dashboard session. */
  readonly sessionId?: string;
}

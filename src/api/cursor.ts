// Page cursors: the keyset position, bound to the query it belongs to and signed so it cannot be forged.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SearchPosition } from '../store/finding-store.js';
import { ApiError } from './api-error.js';

interface CursorPayload<P> {
  readonly p: P;
  /** Fingerprint of query, range and sort: a cursor only continues the search that made it. */
  readonly f: string;
}

export class CursorCodec {
  constructor(private readonly secret: Buffer) {}

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }

  encode<P = SearchPosition>(position: P, fingerprint: string): string {
    const body = Buffer.from(JSON.stringify({ p: position, f: fingerprint } satisfies CursorPayload<P>)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The position a cursor holds; `P` is what the issuing route encoded (the signature proves it issued it). */
  decode<P = SearchPosition>(cursor: string, fingerprint: string): P {
    const invalid = new ApiError(400, 'INVALID_CURSOR', 'the cursor is not one this server issued for this search; start again without it');
    const [body, signature, extra] = cursor.split('.');
    if (!body || !signature || extra !== undefined || cursor.length > 4096) throw invalid;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid;
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as CursorPayload<P>;
    if (payload.f !== fingerprint) throw invalid;
    return payload.p;
  }
}

// A request as received, in the raw form SigV4 verification needs, and the two lookups parsing and verifying share.

/**
 * What SigV4 verification reads of a request. Nothing here may have been decoded, re-encoded or re-joined:
 * the signature covers the request as the client sent it.
 */
export interface SigV4Request {
  /** As received, e.g. `GET`, `POST`. */
  readonly method: string;
  /** The path as received, percent-encoding intact, without the query (`/api/findings/a%2Fb`). */
  readonly rawPath: string;
  /** The query string as received, without the `?`; `''` when there is none. */
  readonly rawQuery: string;
  /**
   * Header names in any case. A header sent more than once must be given as the array of its values in order
   * (Node's `IncomingMessage.headersDistinct`): Node's `headers` joins repeats with `, ` and drops some, which
   * changes what was signed.
   */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body bytes exactly as received; undefined (or empty) for a request without a body. */
  readonly body?: Uint8Array;
}

/** Splits a request target as received (Node's `req.url`, e.g. `/sts?a=1`) into its raw path and raw query. */
export function splitTarget(target: string): { rawPath: string; rawQuery: string } {
  const at = target.indexOf('?');
  return at < 0 ? { rawPath: target, rawQuery: '' } : { rawPath: target.slice(0, at), rawQuery: target.slice(at + 1) };
}

/** The request's headers by lower-case name, each with all its values in order. */
export function headersByName(request: SigV4Request): Map<string, readonly string[]> {
  const byName = new Map<string, string[]>();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const values = byName.get(key) ?? [];
    if (typeof value === 'string') values.push(value);
    else values.push(...value);
    byName.set(key, values);
  }
  return byName;
}

/**
 * The query's parameters, decoded, by name, each with all its values in order. The canonical request re-encodes
 * them, so a client may have escaped more or less than SigV4's canonical form (`%7E` or `~`) and still match.
 * A key without `=` has the empty value, as SigV4 says; a sequence that is not valid percent-encoding stays as sent.
 */
export function queryParameters(rawQuery: string): Map<string, readonly string[]> {
  const byName = new Map<string, string[]>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeLeniently(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeLeniently(pair.slice(eq + 1));
    const values = byName.get(name) ?? [];
    values.push(value);
    byName.set(name, values);
  }
  return byName;
}

/** `+` stays a plus: SigV4 clients send a space as `%20`, and the canonical form encodes `+` as `%2B`. */
function decodeLeniently(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

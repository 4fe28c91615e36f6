// A small client for the JSON API of a running server, for CLI verbs that only make sense against one.
import { CliError } from './cli-error.js';
import type { TargetOptions } from './target.js';

export class ApiClient {
  constructor(
    private readonly url: string,
    private readonly apiKey: string,
  ) {}

  /** `--url` and `--api-key` (or YAGURA_URL, YAGURA_API_KEY); a data folder alone is not enough for this verb. */
  static fromOptions(options: TargetOptions, verb: string): ApiClient {
    if (!options.url) throw new CliError(`yagura ${verb} talks to a running server: give --url URL and --api-key KEY (or YAGURA_URL, YAGURA_API_KEY)`);
    if (!options.apiKey) throw new CliError('--url needs an API key: give --api-key KEY or set YAGURA_API_KEY');
    return new ApiClient(options.url, options.apiKey);
  }

  async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.url), {
        method,
        headers: { authorization: `Bearer ${this.apiKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new CliError(`cannot reach the server at ${this.url}: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`);
    }
    if (response.status === 204) return undefined;
    const parsed = (await response.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
    if (!response.ok) throw new CliError(`the server answered ${response.status}${parsed?.error ? ` ${parsed.error.code}: ${parsed.error.message}` : `: ${response.statusText}`}`);
    return parsed;
  }
}

// A JSON document given on the command line as `--json '{…}'` or `--file doc.json`, for the verbs that send one.
import { readFile } from 'node:fs/promises';
import { CliError } from './cli-error.js';

/** Parses the one of `--json` and `--file` that was given; `what` names the document in errors ("specification"). */
export async function jsonInput(opts: { readonly json?: string | undefined; readonly file?: string | undefined }, what = 'document'): Promise<unknown> {
  if ((opts.json === undefined) === (opts.file === undefined)) throw new CliError(`give the ${what} with exactly one of --json TEXT or --file PATH`);
  let text = opts.json;
  if (text === undefined) {
    try {
      text = await readFile(opts.file!, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${opts.file}: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CliError(`the ${what} is not valid JSON${opts.file ? ` (${opts.file})` : ''}`);
  }
}

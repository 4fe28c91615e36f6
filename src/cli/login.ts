// `yagura login`: trades an LDAP/AD password or an OIDC token for temporary credentials at the server's STS
// endpoint and hands them to the AWS tooling: a profile in the AWS credentials file, or `credential_process` JSON.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { XMLParser } from 'fast-xml-parser';
import ini from 'ini';
import { CliError } from './cli-error.js';
import { serverOf } from './connection-options.js';

interface LoginFlags {
  url?: string;
  data?: string;
  ldap?: string;
  oidc?: boolean;
  webIdentityTokenFile?: string;
  provider?: string;
  role?: string;
  sessionName?: string;
  duration?: string;
  passwordStdin?: boolean;
  profile: string;
  credentialsFile?: string;
  credentialProcess?: boolean;
}

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: string;
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

/** Posts one STS action and reads the credentials out of the XML answer, or a CliError with STS's code. */
export async function callSts(url: string, fields: Record<string, string>): Promise<TemporaryCredentials> {
  let response: Response;
  try {
    response = await fetch(new URL('/sts', url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Version: '2011-06-15', ...fields }).toString(),
    });
  } catch (error) {
    throw new CliError(`cannot reach the server at ${url}: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`);
  }
  const text = await response.text();
  let doc: Record<string, any>;
  try {
    doc = parser.parse(text) as Record<string, any>;
  } catch {
    throw new CliError(`the server answered ${response.status} with something that is not STS XML`);
  }
  if (!response.ok) {
    const error = doc.ErrorResponse?.Error as { Code?: string; Message?: string } | undefined;
    throw new CliError(`sign-in refused (${response.status}${error?.Code ? ` ${error.Code}` : ''}): ${error?.Message ?? response.statusText}`);
  }
  const action = fields.Action!;
  const c = doc[`${action}Response`]?.[`${action}Result`]?.Credentials as Record<string, string> | undefined;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new CliError('the server answered without credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
}

/** The password from stdin's first line (`--password-stdin`), YAGURA_LDAP_PASSWORD, or a prompt that does not echo. */
async function password(flags: LoginFlags, env: NodeJS.ProcessEnv): Promise<string> {
  if (flags.passwordStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  if (env.YAGURA_LDAP_PASSWORD !== undefined) return env.YAGURA_LDAP_PASSWORD;
  if (!process.stdin.isTTY) throw new CliError('no password: use --password-stdin, set YAGURA_LDAP_PASSWORD, or run in a terminal to be asked');
  return promptHidden('Password: ');
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    let typed = '';
    stdin.setRawMode(true);
    stdin.resume();
    const done = (error?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: Buffer): void => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliError('cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Writes the profile into an AWS credentials file, keeping its other profiles; the file stays private (0600). */
export async function writeProfile(file: string, profile: string, credentials: TemporaryCredentials): Promise<void> {
  let existing: Record<string, unknown> = {};
  try {
    existing = ini.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  existing[profile] = {
    aws_access_key_id: credentials.accessKeyId,
    aws_secret_access_key: credentials.secretAccessKey,
    aws_session_token: credentials.sessionToken,
    // Not read by the SDKs; says when to log in again.
    x_yagura_expiration: credentials.expiration,
  };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.yagura-${process.pid}`;
  await writeFile(temporary, ini.stringify(existing, { whitespace: true }), { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

function duration(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,6}$/.test(text)) throw new CliError('--duration is a whole number of seconds');
  return text;
}

export function loginCommand(program: Command): void {
  program
    .command('login')
    .description('sign in with LDAP/AD or an OIDC token and save temporary credentials for the AWS tools')
    .option('--url <url>', 'URL of the Yagura server (env YAGURA_URL)')
    .option('--ldap <user>', 'sign in as this LDAP/Active Directory user (password asked, or --password-stdin, or YAGURA_LDAP_PASSWORD)')
    .option('--password-stdin', 'read the LDAP password from the first line of stdin')
    .option('--oidc', 'sign in with an OIDC ID token (AssumeRoleWithWebIdentity); needs --web-identity-token-file and --role')
    .option('--web-identity-token-file <file>', 'file holding the OIDC ID token (as AWS_WEB_IDENTITY_TOKEN_FILE)')
    .option('--provider <id>', 'the OIDC provider, when the token alone does not tell')
    .option('--role <name>', 'role to assume (needed for OIDC, and for LDAP users mapped to several roles)')
    .option('--session-name <name>', 'role session name for OIDC (default: yagura-cli)')
    .option('--duration <seconds>', 'how long the credentials last (900 to the server maximum)')
    .option('--profile <name>', 'profile to write in the AWS credentials file', 'yagura')
    .option('--credentials-file <file>', 'AWS credentials file (default: AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials)')
    .option('--credential-process', 'print credential_process JSON on stdout instead of writing a profile')
    .action(async (flags: LoginFlags) => {
      const env = process.env;
      const { url } = serverOf(flags, 'login', env);
      if (url === undefined) throw new CliError('yagura login needs the server: give --url URL (or YAGURA_URL)');
      if ((flags.ldap === undefined) === (flags.oidc !== true)) throw new CliError('give exactly one of --ldap USER or --oidc');
      let credentials: TemporaryCredentials;
      const common = { ...(duration(flags.duration) !== undefined && { DurationSeconds: flags.duration! }) };
      if (flags.ldap !== undefined) {
        credentials = await callSts(url, {
          Action: 'AssumeRoleWithLDAPIdentity',
          LDAPUsername: flags.ldap,
          LDAPPassword: await password(flags, env),
          ...(flags.role && { RoleArn: `arn:yagura:iam:::role/${flags.role}` }),
          ...common,
        });
      } else {
        if (!flags.webIdentityTokenFile || !flags.role) throw new CliError('--oidc needs --web-identity-token-file FILE and --role NAME');
        let token: string;
        try {
          token = (await readFile(flags.webIdentityTokenFile, 'utf8')).trim();
        } catch (error) {
          throw new CliError(`cannot read ${flags.webIdentityTokenFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
        credentials = await callSts(url, {
          Action: 'AssumeRoleWithWebIdentity',
          WebIdentityToken: token,
          RoleArn: `arn:yagura:iam:::role/${flags.role}`,
          RoleSessionName: flags.sessionName ?? 'yagura-cli',
          ...(flags.provider && { ProviderId: flags.provider }),
          ...common,
        });
      }
      if (flags.credentialProcess) {
        process.stdout.write(`${JSON.stringify({ Version: 1, AccessKeyId: credentials.accessKeyId, SecretAccessKey: credentials.secretAccessKey, SessionToken: credentials.sessionToken, Expiration: credentials.expiration })}\n`);
        return;
      }
      const file = flags.credentialsFile ?? (env.AWS_SHARED_CREDENTIALS_FILE || path.join(homedir(), '.aws', 'credentials'));
      await writeProfile(file, flags.profile, credentials);
      process.stderr.write(`saved temporary credentials as profile "${flags.profile}" in ${file}; they expire at ${credentials.expiration}\n`);
    });
}

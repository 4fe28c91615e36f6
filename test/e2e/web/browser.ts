// Support for the dashboard's browser tests: the built server as a child process, and Debian's headless Chromium.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT as REPOSITORY, spawnServe } from '../../support/serve-process.js';

export const ROOT = REPOSITORY;
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'web');
export const KEY = 'e2e-web-bootstrap-key-0123456789abcdef';

/** The overview with every request answered and every chart drawn. */
export const OVERVIEW_DRAWN = '[data-testid=overview][data-state=loaded]:not(:has(.chart:not([data-drawn=true])))';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts `yagura serve` as built (dist/) on the data folder; port 0 picks a free one. */
export async function startServer(data: string, port = 0, options: { key?: string; args?: string[] } = {}): Promise<RunningServer> {
  const { child, url } = await spawnServe(data, { key: options.key ?? KEY, args: ['--port', String(port), ...(options.args ?? [])], logLevel: 'warn', cleanEnv: true });
  return {
    url,
    port: Number(new URL(url).port),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function tempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'yagura-web-'));
}

/** Debian's Chromium, never a downloaded browser; the flags keep it off the network it must not reach. */
export async function launchBrowser(): Promise<Browser> {
  // Playwright gives every launch a fresh temporary profile (it refuses --user-data-dir here).
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What a page did that it never should: CSP violations, dialogs, requests to other hosts, script errors. */
export interface Watch {
  readonly violations: string[];
  readonly dialogs: string[];
  readonly foreignRequests: string[];
  readonly pageErrors: string[];
}

export async function watchedPage(browser: Browser, base: string, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; watch: Watch }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const watch: Watch = { violations: [], dialogs: [], foreignRequests: [], pageErrors: [] };
  const origin = new URL(base).origin;
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) watch.violations.push(m.text());
  });
  page.on('pageerror', (e) => watch.pageErrors.push(e.message));
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) watch.foreignRequests.push(u);
  });
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
  );
  return { page, watch };
}

export async function login(page: Page, base: string, key = KEY): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Views' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** What `POST /api/v1/events` answers. */
export interface IngestReport {
  readonly accepted: number;
  readonly duplicates: number;
  readonly created: number;
  readonly updated: number;
  readonly ignored: number;
  readonly rejected: ReadonlyArray<{ index: number; code: string; message: string }>;
}

/** Posts findings through the public ingest API with the bootstrap key; throws unless it answers 2xx. */
export async function ingest(base: string, docs: unknown[]): Promise<IngestReport> {
  const res = await fetch(`${base}/api/v1/events`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(docs) });
  if (!res.ok) throw new Error(`ingest failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as IngestReport;
}

export async function apiGet<T>(base: string, pathAndQuery: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`${base}${pathAndQuery}`, {
    method: init.method ?? 'GET',
    headers: { 'x-api-key': KEY, ...(init.body !== undefined && { 'content-type': 'application/json' }) },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  return (await res.json()) as T;
}

// Every installed package supports the Node.js this project runs on, so `npm ci` prints no EBADENGINE warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import semver from 'semver';

interface LockedPackage {
  readonly version?: string;
  readonly engines?: { readonly node?: string } | readonly string[];
}

const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};
const project = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };

/** The lowest Node.js version the project promises to run on (the same range npm checks the lock against). */
const oldestSupported = semver.minVersion(project.engines.node);

test('every locked package accepts the oldest Node.js the project supports', () => {
  assert.ok(oldestSupported, `package.json engines.node is not a valid range: ${project.engines.node}`);
  const refused: string[] = [];
  let checked = 0;
  for (const [path, pkg] of Object.entries(lock.packages)) {
    const range = pkg.engines && !Array.isArray(pkg.engines) ? (pkg.engines as { node?: string }).node : undefined;
    if (path === '' || range === undefined) continue;
    checked++;
    if (!semver.satisfies(oldestSupported, range, { includePrerelease: true })) refused.push(`${path}@${pkg.version} wants node ${range}`);
  }
  assert.ok(checked > 50, `only ${checked} locked packages declare engines: is package-lock.json readable?`);
  assert.deepEqual(refused, []);
});

test('the running Node.js is one the project supports', () => {
  assert.ok(semver.satisfies(process.version, project.engines.node), `${process.version} is outside ${project.engines.node}`);
});

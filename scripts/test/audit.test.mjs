// `npm run audit`: matching lockfile versions against advisories, and the exit codes that tell
// "high or critical found" (1) from "nothing high" (0) from "could not check" (2).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadOsvRecords, lockfilePackages, matchBulk, matchOsv, osvAffects, summarise } from '../audit.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, '..', 'audit.mjs');
const fixtures = join(here, 'fixtures');
const lockfile = join(fixtures, 'package-lock.json');
const packages = lockfilePackages(JSON.parse(readFileSync(lockfile, 'utf8')));

/** Runs the CLI without any advisory database from the caller's environment. */
async function runAudit(args) {
  const env = { ...process.env };
  delete env.KONFERENZ_ADVISORY_DB;
  const child = spawn(process.execPath, [script, '--lockfile', lockfile, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [status] = await once(child, 'exit');
  return { status, stdout, stderr };
}

/** A stand-in registry on loopback that answers the bulk endpoint with a fixed status and body. */
async function withRegistry(status, body, run) {
  const requests = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      requests.push({ method: request.method, url: request.url, body: text ? JSON.parse(text) : undefined });
      response.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    return await run(`http://127.0.0.1:${server.address().port}/`, requests);
  } finally {
    server.close();
  }
}

test('reads every installed version from the lockfile, nested ones too, and skips workspaces and links', () => {
  assert.deepEqual(Object.fromEntries(packages), {
    '@scope/kit': ['2.5.0'],
    cookie: ['0.6.0', '1.0.2'],
    'left-pad': ['1.2.0'],
    quiet: ['3.0.0'],
  });
});

test('OSV ranges: introduced opens a span, fixed closes it before the fix, last_affected after the last', () => {
  const twoSpans = { ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.0.0' }, { fixed: '3.0.0' }, { introduced: '1.0.0' }, { fixed: '1.9.3' }] }] };
  assert.deepEqual(osvAffects(twoSpans, '0.9.0'), { affected: false });
  assert.deepEqual(osvAffects(twoSpans, '1.0.0'), { affected: true, fixedIn: '1.9.3' });
  assert.deepEqual(osvAffects(twoSpans, '1.9.3'), { affected: false });
  assert.deepEqual(osvAffects(twoSpans, '2.5.0'), { affected: true, fixedIn: '3.0.0' });
  assert.deepEqual(osvAffects(twoSpans, '3.0.0'), { affected: false });
  assert.deepEqual(osvAffects(twoSpans, '3.0.0-next.4'), { affected: true, fixedIn: '3.0.0' }, 'a prerelease of the fix is still affected');

  const noFix = { ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { last_affected: '4.1.0' }] }] };
  assert.deepEqual(osvAffects(noFix, '4.1.0'), { affected: true, fixedIn: undefined });
  assert.deepEqual(osvAffects(noFix, '4.1.1'), { affected: false });

  const listed = { versions: ['5.0.1'], ranges: [{ type: 'GIT', events: [{ introduced: 'abc123' }] }] };
  assert.equal(osvAffects(listed, '5.0.1').affected, true, 'an explicitly listed version');
  assert.equal(osvAffects(listed, '5.0.2').affected, false, 'GIT ranges name commits, not versions');
});

test('matches the fixture advisories: each affected version once, withdrawn and other ecosystems ignored', () => {
  const findings = matchOsv(packages, loadOsvRecords(join(fixtures, 'advisories')));
  assert.deepEqual(
    findings.map(({ name, version, id, severity, fixedIn }) => ({ name, version, id, severity, fixedIn })),
    [
      { name: '@scope/kit', version: '2.5.0', id: 'GHSA-dddd-eeee-ffff', severity: 'high', fixedIn: '3.0.0' },
      { name: 'cookie', version: '0.6.0', id: 'GHSA-aaaa-bbbb-cccc', severity: 'low', fixedIn: '0.7.0' },
    ],
  );
  assert.equal(summarise(findings, packages.size, 'fixture').exitCode, 1);
  assert.equal(
    summarise(
      findings.filter(({ severity }) => severity === 'low'),
      packages.size,
      'fixture',
    ).exitCode,
    0,
  );
  assert.equal(summarise([], packages.size, 'fixture').line, '0 known advisories in 4 packages (none); source: fixture');
});

test('matches the registry bulk answer with the advisory ranges npm uses', () => {
  const answer = {
    cookie: [{ id: 1103907, url: 'https://github.com/advisories/GHSA-pxg6-pf52-xh8x', title: 'cookie', severity: 'low', vulnerable_versions: '<0.7.0' }],
    quiet: [{ id: 1, url: 'https://example.invalid/1', title: 'quiet', severity: 'critical', vulnerable_versions: '>=4.0.0' }],
  };
  assert.deepEqual(
    matchBulk(packages, answer).map(({ name, version, id, severity }) => `${name}@${version} ${id} ${severity}`),
    ['cookie@0.6.0 GHSA-pxg6-pf52-xh8x low'],
  );
});

test('CLI with an advisory database: one line per finding, a summary, exit 1 on a high finding', async () => {
  const { status, stdout } = await runAudit(['--db', join(fixtures, 'advisories')]);
  assert.equal(status, 1, stdout);
  const lines = stdout.trim().split('\n');
  assert.match(lines[0], /^@scope\/kit@2\.5\.0 {2}GHSA-dddd-eeee-ffff {2}high {2}fixed in: 3\.0\.0/);
  assert.match(lines[1], /^cookie@0\.6\.0 {2}GHSA-aaaa-bbbb-cccc {2}low {2}fixed in: 0\.7\.0/);
  assert.match(lines[2], /^2 known advisories in 4 packages \(1 low, 1 high\); source: OSV records in /);
});

test('CLI exits 0 when nothing found is high or critical', async () => {
  const { status, stdout } = await runAudit(['--db', join(fixtures, 'advisories', '2025')]);
  assert.equal(status, 0, stdout);
  assert.match(stdout, /1 known advisories in 4 packages \(1 low\)/);
});

test('CLI asks the registry bulk endpoint with every version when no database is given', async () => {
  const answer = {
    '@scope/kit': [{ id: 7, url: 'https://github.com/advisories/GHSA-27mw-82g8-phjj', title: 'XSS', severity: 'moderate', vulnerable_versions: '<3.0.0' }],
  };
  await withRegistry(200, answer, async (registry, requests) => {
    const { status, stdout } = await runAudit(['--registry', registry]);
    assert.equal(status, 0, stdout);
    assert.deepEqual(requests, [{ method: 'POST', url: '/-/npm/v1/security/advisories/bulk', body: Object.fromEntries(packages) }]);
    assert.match(stdout, /^@scope\/kit@2\.5\.0 {2}GHSA-27mw-82g8-phjj {2}moderate/m);
  });
});

test('CLI exits 2 and says what it tried when no source answers, never a silent pass', async () => {
  await withRegistry(405, undefined, async (registry) => {
    const { status, stdout, stderr } = await runAudit(['--registry', registry]);
    assert.equal(status, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /Could not check 4 packages/);
    assert.match(stderr, new RegExp(`POST ${registry}-/npm/v1/security/advisories/bulk: HTTP 405`));
  });
  const missing = await runAudit(['--db', join(fixtures, 'no-such-directory')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no-such-directory: ENOENT/);
});

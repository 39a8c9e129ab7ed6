// The bootstrap's npm install and builds: they must get the devDependencies (the compilers) even
// when the operator runs `npm run start:prod` with NODE_ENV=production in the service's environment.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { installNpmPackages, toolEnv } from '../bootstrap.mjs';

/** A project whose only devDependency is a local folder, so npm installs it without a registry. */
function projectWithDevDependency() {
  const root = mkdtempSync(join(tmpdir(), 'konferenz-bootstrap-'));
  mkdirSync(join(root, 'tool'));
  writeFileSync(join(root, 'tool', 'package.json'), JSON.stringify({ name: 'konferenz-dev-tool', version: '1.0.0' }));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'fixture', private: true, devDependencies: { 'konferenz-dev-tool': 'file:./tool' } }));
  const lock = spawnSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: root, encoding: 'utf8' });
  assert.equal(lock.status, 0, lock.stderr);
  return root;
}

for (const fresh of [true, false]) {
  test(`with NODE_ENV=production the bootstrap's npm ${fresh ? 'ci (fresh checkout)' : 'install (node_modules exist)'} still installs the devDependencies`, () => {
    const root = projectWithDevDependency();
    try {
      if (!fresh) mkdirSync(join(root, 'node_modules'));
      installNpmPackages(root, { ...process.env, NODE_ENV: 'production' });
      assert.ok(existsSync(join(root, 'node_modules', 'konferenz-dev-tool', 'package.json')), 'the devDependency is missing');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

test('the install and builds run without the caller NODE_ENV; everything else passes through', () => {
  const env = toolEnv({ NODE_ENV: 'production', PATH: '/usr/bin', HOME: '/root' }, { MEDIASOUP_WORKER_BIN: 'x' });
  assert.deepEqual(env, { PATH: '/usr/bin', HOME: '/root', MEDIASOUP_WORKER_BIN: 'x' });
});

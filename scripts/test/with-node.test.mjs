// The runtime launcher: which Node runs the product, and that it behaves like the command it runs.
// Runs inside `npm test`'s private network namespace, so the pinned Node must already be in .tools/
// when the machine's Node is older (`npm test` itself installed it, through the same launcher).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NODE_FLOOR_MAJOR, PINNED_NODE_VERSION, isSupported } from '../with-node.mjs';

const launcher = join(dirname(fileURLToPath(import.meta.url)), '..', 'with-node.mjs');
/** Debian's own Node (20 on these machines): the "machine whose system Node is too old". */
const systemNode = '/usr/bin/node';
const systemNodeVersion = existsSync(systemNode) ? spawnSync(systemNode, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';

test('the floor is Node 24: older majors are refused, 24 and newer accepted', () => {
  assert.equal(NODE_FLOOR_MAJOR, 24);
  for (const old of ['v20.20.2', 'v22.23.5', '23.11.0']) assert.equal(isSupported(old), false, old);
  for (const current of ['v24.0.0', `v${PINNED_NODE_VERSION}`, 'v26.12.1']) assert.equal(isSupported(current), true, current);
});

test(
  'on a machine whose Node is older than 24, commands run on the pinned Node 24 with its headers for node-gyp',
  { skip: systemNodeVersion && !isSupported(systemNodeVersion) ? false : 'no Node older than 24 at /usr/bin/node' },
  () => {
    const result = spawnSync(systemNode, [launcher, 'sh', '-c', 'node --version; echo "$npm_config_nodedir"'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const [version, nodedir] = result.stdout.trim().split('\n');
    assert.equal(version, `v${PINNED_NODE_VERSION}`);
    assert.ok(existsSync(join(nodedir, 'include', 'node', 'node_api.h')), `no headers in ${nodedir}`);
  },
);

test('passes the exit code of the command through', () => {
  const result = spawnSync(process.execPath, [launcher, 'sh', '-c', 'exit 3']);
  assert.equal(result.status, 3);
});

test('a command that does not exist is a clear error, exit 127', () => {
  const result = spawnSync(process.execPath, [launcher, 'konferenz-no-such-command'], { encoding: 'utf8' });
  assert.equal(result.status, 127);
  assert.match(result.stderr, /konferenz-no-such-command: spawn konferenz-no-such-command ENOENT/);
});

test('a SIGTERM to the launcher stops the command and the launcher exits when it has', async () => {
  const launched = spawn(process.execPath, [launcher, 'sh', '-c', 'trap "echo stopped; exit 0" TERM; echo ready; while :; do sleep 0.05; done'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  launched.stdout.on('data', (chunk) => (output += chunk));
  while (!output.includes('ready')) await once(launched.stdout, 'data');
  launched.kill('SIGTERM');
  const [code] = await once(launched, 'exit');
  assert.equal(code, 0);
  assert.match(output, /stopped/);
});

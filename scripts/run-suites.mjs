// Runs each workspace's suites in turn and prints one closing line: "N passed, N failed".
// Arguments, if any, pick suites by name (e.g. `npm test -- server e2e`); without any, the type
// check and lint run first, each counted as one failure when it fails.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './bootstrap.mjs';
import { playwrightOutcome, tapOutcome, vitestOutcome, withExitStatus } from './suite-outcomes.mjs';

const reports = mkdtempSync(join(tmpdir(), 'konferenz-reports-'));
const SUITES = [
  { name: 'scripts', kind: 'node' },
  { name: 'shared', kind: 'vitest' },
  { name: 'sip', kind: 'vitest' },
  { name: 'testing', kind: 'vitest' },
  { name: 'sfu', kind: 'vitest' },
  { name: 'bench', kind: 'node' },
  // Two test files at a time on every machine: vitest's default on two cores is one, and the
  // integration files mostly wait on real calls, timers and the database, each with its own app.
  { name: 'server', kind: 'vitest', args: ['--project', 'unit', '--project', 'integration', '--maxWorkers', '2'] },
  // Real SIP clients against the whole product (server/test/interop, README "Interop matrix").
  { name: 'interop', kind: 'vitest', dir: 'server', args: ['--project', 'interop'] },
  { name: 'client', kind: 'vitest' },
  { name: 'e2e', kind: 'playwright' },
];

function vitest(name, { dir = name, args = [] } = {}) {
  const report = join(reports, `${name}.json`);
  const result = spawnSync('npx', ['vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
    cwd: join(repoRoot, dir),
    stdio: 'inherit',
  });
  if (!existsSync(report)) return { passed: 0, failed: 1, status: result.status };
  return { ...vitestOutcome(JSON.parse(readFileSync(report, 'utf8'))), status: result.status };
}

/** The launch scripts (they run before `npm install`) and the benchmarks are plain Node, so Node's own test runner tests them. */
function nodeTest(name) {
  const report = join(reports, `${name}.tap`);
  const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${report}`];
  const result = spawnSync(process.execPath, ['--test', ...reporters, `${name}/test/*.test.mjs`], { cwd: repoRoot, stdio: 'inherit' });
  const tap = existsSync(report) ? readFileSync(report, 'utf8') : '';
  if (!tap) return { passed: 0, failed: 1, status: result.status };
  return { ...tapOutcome(tap), status: result.status };
}

function playwright(name) {
  const report = join(reports, `${name}.json`);
  const result = spawnSync('npx', ['playwright', 'test'], {
    cwd: join(repoRoot, name),
    stdio: 'inherit',
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
  });
  if (!existsSync(report)) return { passed: 0, failed: 1, status: result.status };
  return { ...playwrightOutcome(JSON.parse(readFileSync(report, 'utf8'))), status: result.status };
}

/** `npm run <script>` with its output held back, so that two can run at once. */
function npmScript(title, script) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) => resolve({ title, status: 1, output: Buffer.from(`${error.message}\n`) }));
    child.on('close', (status) => resolve({ title, status, output: Buffer.concat(output) }));
  });
}

const picked = process.argv.slice(2);
/** Seconds per step, printed at the end: the whole run must stay under 30 minutes on 2 cores. */
const durations = [];
const timed = (name, step) => {
  const started = Date.now();
  const result = step();
  durations.push(`${name} ${Math.round((Date.now() - started) / 1000)} s`);
  return result;
};
let passed = 0;
let failed = 0;
let exitCode = 0;
if (picked.length === 0) {
  // The type check and lint share nothing and each keeps one core busy: both at once, each
  // printed whole when both are done.
  const started = Date.now();
  const checks = await Promise.all([npmScript('type check', 'typecheck'), npmScript('lint', 'lint')]);
  durations.push(`type check and lint ${Math.round((Date.now() - started) / 1000)} s`);
  for (const { title, status, output } of checks) {
    console.log(`\n\x1b[36m[konferenz]\x1b[0m ${title}`);
    process.stdout.write(output);
    if (status !== 0) {
      exitCode = 1;
      failed += 1;
    }
  }
}
for (const suite of SUITES.filter(({ name }) => picked.length === 0 || picked.includes(name))) {
  console.log(`\n\x1b[36m[konferenz]\x1b[0m ${suite.name} tests`);
  const run = { vitest, playwright, node: nodeTest }[suite.kind];
  const { status, ...counts } = timed(suite.name, () => run(suite.name, suite));
  const outcome = withExitStatus(counts, status);
  if (outcome.unexplained) console.log(`\x1b[31m[konferenz]\x1b[0m ${suite.name} exited with status ${status} without a failed test: counted as one failure`);
  passed += outcome.passed;
  failed += outcome.failed;
  if (status !== 0) exitCode = 1;
}
console.log(`\n\x1b[36m[konferenz]\x1b[0m durations: ${durations.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(exitCode || (failed > 0 ? 1 : 0));

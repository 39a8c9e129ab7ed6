// The closing line of `npm test` reads "0 failed" only when nothing failed: a CI run once printed
// "407 passed, 0 failed" while 21 sfu test files could not load (a native addon built for another Node).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { playwrightOutcome, tapOutcome, vitestOutcome, withExitStatus } from '../suite-outcomes.mjs';

const file = (status, ...tests) => ({ status, assertionResults: tests.map((testStatus) => ({ status: testStatus })) });

test('vitest: a file that fails before its tests run counts as a failure; failed tests count once each', () => {
  const report = {
    numPassedTests: 3,
    numFailedTests: 1,
    testResults: [file('passed', 'passed', 'passed'), file('failed', 'passed', 'failed'), file('failed')],
  };
  assert.deepEqual(vitestOutcome(report), { passed: 3, failed: 2 });
});

test('playwright: errors outside any test count as failures', () => {
  const report = { stats: { expected: 9, flaky: 1, unexpected: 0 }, errors: [{ message: 'Process from config.webServer was not able to start' }] };
  assert.deepEqual(playwrightOutcome(report), { passed: 10, failed: 1 });
  assert.deepEqual(playwrightOutcome({ stats: { expected: 2, flaky: 0, unexpected: 1 } }), { passed: 2, failed: 1 });
});

test('node:test: the TAP summary lines', () => {
  assert.deepEqual(tapOutcome('TAP version 13\n# tests 6\n# pass 5\n# fail 1\n'), { passed: 5, failed: 1 });
});

test('a runner that exits non-zero with no failure in its report counts one failure', () => {
  assert.deepEqual(withExitStatus({ passed: 7, failed: 0 }, 1), { passed: 7, failed: 1, unexplained: true });
  assert.deepEqual(withExitStatus({ passed: 7, failed: 2 }, 1), { passed: 7, failed: 2 });
  assert.deepEqual(withExitStatus({ passed: 7, failed: 0 }, 0), { passed: 7, failed: 0 });
});

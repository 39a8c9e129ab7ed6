// What a test runner's report says about a suite: passed and failed counts, where a failure
// outside any test (a file that cannot load, a web server that does not start, a runner that
// exits non-zero for a reason of its own) is counted too, so "0 failed" always means green.

/** Vitest's JSON report: a file that fails before its tests run fails no test, so it counts itself. */
export function vitestOutcome(report) {
  const brokenFiles = report.testResults.filter((file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'));
  return { passed: report.numPassedTests, failed: report.numFailedTests + brokenFiles.length };
}

/** Playwright's JSON report: errors outside any test (the web server not starting, say) are failures. */
export function playwrightOutcome(report) {
  return { passed: report.stats.expected + report.stats.flaky, failed: report.stats.unexpected + (report.errors?.length ?? 0) };
}

/** Node's TAP summary lines ("# pass 5", "# fail 0"). */
export function tapOutcome(tap) {
  const count = (label) => Number(tap.match(new RegExp(`^# ${label} (\\d+)$`, 'm'))?.[1] ?? 0);
  return { passed: count('pass'), failed: count('fail') };
}

/** A runner that exited non-zero without a failure in its report still failed: one failure. */
export function withExitStatus(outcome, status) {
  return status !== 0 && outcome.failed === 0 ? { ...outcome, failed: 1, unexplained: true } : outcome;
}

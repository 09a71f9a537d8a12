// How scripts/run-tests.mjs asks node's runner for its reports and reads its totals.
// A terminal gets the spec reporter; the `# pass N` / `# fail N` totals are always
// read from a TAP report (stdout when it is not a terminal, else a file beside).

// The node runner's closing lines, in the order it prints them.
export const SUMMARY_KEYS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];
// Top level only: a subtest's own lines are indented.
const SUMMARY_LINE = /^# (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/;

/** Pure: the runner's totals from its TAP text; the last value of each key wins. */
export function parseSummary(tapText) {
  const counts = {};
  for (const line of tapText.split('\n')) {
    const m = SUMMARY_LINE.exec(line.replace(/\r$/, ''));
    if (m) counts[m[1]] = Number(m[2]);
  }
  return counts;
}

/**
 * Pure: the runner's reporter flags. In a terminal: spec on stdout and TAP into
 * tapFile; otherwise TAP on stdout (CI reads it).
 */
export function reporterArgs(terminal, tapFile) {
  return terminal
    ? ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tapFile}`]
    : ['--test-reporter=tap', '--test-reporter-destination=stdout'];
}

/** Pure: whether a run passed, and why not. */
export function verdict(counts, code, signal) {
  const ok = code === 0 && signal === null && counts.pass !== undefined && !counts.fail && !counts.cancelled;
  return { ok, why: signal ? `killed by ${signal}` : code !== 0 ? `exit ${code}` : ok ? '' : 'no summary' };
}

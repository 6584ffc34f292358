/**
 * SigmaHQ-style regression tests, run natively: a rule's `regression_tests_path` names an
 * `info.yml` (relative to the repository root) whose `regression_tests_info` lists recorded event
 * files and the number of matches expected (`match_count`, default 1). A test passes when the
 * rule matches at least that many events. Absent data is its own status, never a crash.
 */
import { closeSync, existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { load } from 'js-yaml';
import type { SigmaRule } from '../rules/load-rule.js';
import { planMatcher } from '../compile/compile-plan.js';
import type { Event } from '../evaluate/evaluate.js';
import { readEventsSync } from '../event-files/read-events.js';
import { openInside } from '../cases/events-file.js';
import type { EventLimits } from '../event-files/read-events.js';

export type RegressionStatus = 'pass' | 'fail' | 'missing-data' | 'error';

export interface RegressionResult {
  id: string | null;
  path: string;
  test: string;
  status: RegressionStatus;
  expected: number | null;
  actual: number | null;
  /** The event file evaluated, relative to the root. */
  data?: string;
  message?: string;
}

export interface RegressionSummary {
  rules: number;
  tests: number;
  pass: number;
  fail: number;
  missingData: number;
  error: number;
}

/** Which rendering of a recorded test to read. `evtx` needs the native reader (readEvents handles it). */
export type Prefer = 'json' | 'evtx';

/** What the regression reporters render. */
export interface RegressionReport {
  results: RegressionResult[];
  summary: RegressionSummary;
}

interface InfoTest {
  name?: unknown;
  type?: unknown;
  match_count?: unknown;
  path?: unknown;
}

/** Runs the regression tests of the given rules (those with `regression_tests_path`). */
export function runRegression(root: string, rules: readonly SigmaRule[], prefer: Prefer = 'json', limits?: EventLimits): RegressionResult[] {
  const results: RegressionResult[] = [];
  for (const rule of rules) {
    const ref = rule.raw.regression_tests_path;
    if (typeof ref !== 'string') continue;
    const base = { id: rule.id ?? null, path: relative(root, rule.file) || rule.file };
    const infoPath = join(root, ref);
    if (!existsSync(infoPath)) {
      results.push({ ...base, test: ref, status: 'missing-data', expected: null, actual: null, message: `${ref} is absent` });
      continue;
    }
    const infoAccess = openInside(root, ref, root);
    if (!infoAccess.ok) {
      results.push({ ...base, test: ref, status: 'error', expected: null, actual: null, message: infoAccess.reason });
      continue;
    }
    let info: unknown;
    try {
      info = load(readFileSync(infoAccess.fd, 'utf8'));
    } catch (e) {
      results.push({ ...base, test: ref, status: 'error', expected: null, actual: null, message: `cannot read ${ref}: ${(e as Error).message}` });
      continue;
    } finally {
      closeSync(infoAccess.fd);
    }
    const tests = (info as { regression_tests_info?: unknown } | null)?.regression_tests_info;
    if (!Array.isArray(tests) || tests.length === 0) {
      results.push({ ...base, test: ref, status: 'missing-data', expected: null, actual: null, message: `${ref} lists no regression_tests_info` });
      continue;
    }
    for (const [k, t] of (tests as InfoTest[]).entries()) {
      const name = typeof t.name === 'string' ? t.name : `test ${k + 1}`;
      const expected = typeof t.match_count === 'number' ? t.match_count : 1;
      if (typeof t.path !== 'string') {
        results.push({ ...base, test: name, status: 'error', expected, actual: null, message: `test ${k + 1} of ${ref} has no path` });
        continue;
      }
      const data = pickDataFile(root, t.path, prefer);
      if (data === undefined) {
        results.push({ ...base, test: name, status: 'missing-data', expected, actual: null, message: `no event data for ${t.path}` });
        continue;
      }
      // Recorded data stays inside the repository (as case files' events do), and is streamed.
      const access = openInside(root, data, root);
      if (!access.ok) {
        results.push({ ...base, test: name, status: 'error', expected, actual: null, data, message: access.reason });
        continue;
      }
      let actual = 0;
      let events = 0;
      const problems: string[] = [];
      let failure: string | undefined;
      try {
        const matches = planMatcher(rule.plan).match;
        for (const read of readEventsSync(join(root, data), limits === undefined ? { fd: access.fd } : { fd: access.fd, limits })) {
          if (read.kind === 'error') problems.push(read.diagnostic.message);
          else {
            events++;
            if (matches(read.event as Event)) actual++;
          }
        }
      } catch (e) {
        // The rule failed on an event (an engine bug, a resource exhausted): this test is an error, the others run.
        failure = `the rule failed while matching: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]?.slice(0, 300) ?? ''}`;
      } finally {
        closeSync(access.fd);
      }
      if (failure !== undefined) {
        results.push({ ...base, test: name, status: 'error', expected, actual: null, data, message: failure });
        continue;
      }
      if (problems.length > 0 && events === 0) {
        results.push({ ...base, test: name, status: 'error', expected, actual: null, data, message: problems.join('; ') });
        continue;
      }
      results.push({ ...base, test: name, status: actual >= expected ? 'pass' : 'fail', expected, actual, data });
    }
  }
  return results;
}

/** The event file to read for a listed test path: the `.json` rendering or the `.evtx` itself. */
export function pickDataFile(root: string, listed: string, prefer: Prefer): string | undefined {
  const json = listed.replace(/\.evtx$/i, '.json');
  const evtx = listed.replace(/\.json$/i, '.evtx');
  const order = /\.(evtx|json)$/i.test(listed) ? (prefer === 'evtx' ? [evtx, json] : [json, evtx]) : [listed];
  return order.find((p) => existsSync(join(root, p)));
}

export function summarise(results: readonly RegressionResult[]): RegressionSummary {
  const count = (s: RegressionStatus): number => results.filter((r) => r.status === s).length;
  return {
    rules: new Set(results.map((r) => r.path)).size,
    tests: results.length,
    pass: count('pass'),
    fail: count('fail'),
    missingData: count('missing-data'),
    error: count('error'),
  };
}

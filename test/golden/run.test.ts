/**
 * Golden files of the run reporters (text, json, junit, markdown) on the fixture suite, run with a
 * coverage minimum of 80%: a passing rule (Markdown syntax in its title), one below the minimum,
 * one with a failing case (an escape sequence and markup in its name), an untested one, and a
 * case file naming no loaded rule.
 */
import { describe, expect, it } from 'vitest';
import { loadAndRunSuite } from '../../src/app/run-suite.js';
import { RUN_REPORTERS } from '../../src/report/run/registry.js';
import { SUITE, ext, sanitise } from './golden.js';

const run = loadAndRunSuite(['rules'], ['cases'], { cwd: SUITE, minCoverage: 80 });

describe('run reporters', () => {
  it('the fixture suite has what the goldens are meant to show', () => {
    expect(run.report.rules.map((r) => r.status)).toEqual(expect.arrayContaining(['pass', 'fail', 'below-coverage', 'untested']));
    expect(run.report.diagnostics.map((d) => d.code)).toEqual(['CASE_RULE_UNKNOWN']);
  });

  for (const r of RUN_REPORTERS.textReporters()) {
    it(r.name, async () => {
      await expect(sanitise(r.render(run.report))).toMatchFileSnapshot(`run/${r.name}${ext(r.name)}`);
    });
  }
});

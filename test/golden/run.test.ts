/**
 * Golden files of the run reporters (text, json, junit, markdown) on the fixture suite, run with a
 * coverage minimum of 80%: a passing rule (Markdown syntax in its title), one below the minimum,
 * one with a failing case (an escape sequence and markup in its name), an untested one, and a
 * case file naming no loaded rule; properties that hold, one that fails (markup in its name),
 * one with an unknown operator, a known gap and a closed gap; a correlation (markup in its title)
 * with an alerting case (its alert in the JSON report) and a failing one explained per window and group.
 */
import { describe, expect, it } from 'vitest';
import { loadAndRunSuite } from '../../src/app/run-suite.js';
import { runRuleProperties } from '../../src/properties/run-properties.js';
import { RUN_REPORTERS } from '../../src/report/run/registry.js';
import { SUITE, ext, sanitise } from './golden.js';

const run = loadAndRunSuite(['rules'], ['cases'], { cwd: SUITE, minCoverage: 80, properties: runRuleProperties });

describe('run reporters', () => {
  it('the fixture suite has what the goldens are meant to show', () => {
    expect(run.report.rules.map((r) => r.status)).toEqual(expect.arrayContaining(['pass', 'fail', 'below-coverage', 'untested']));
    expect(run.report.diagnostics.map((d) => d.code)).toEqual(['CASE_RULE_UNKNOWN', 'PROPERTY_OPERATOR_UNKNOWN']);
    // Properties of every status but gap-closed under --strict: held, failed (a counterexample), a typo (error), known gap, gap closed.
    expect(run.report.rules.flatMap((r) => r.properties.results.map((p) => p.status)).sort()).toEqual(['error', 'fail', 'gap-closed', 'known-gap', 'pass', 'pass']);
  });

  for (const r of RUN_REPORTERS.textReporters()) {
    it(r.name, async () => {
      await expect(sanitise(r.render(run.report))).toMatchFileSnapshot(`run/${r.name}${ext(r.name)}`);
    });
  }
});

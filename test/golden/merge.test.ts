/**
 * Golden files of merge-reports: the fixture suite run in two shards and merged (rendered by the
 * run reporters), and the hand-built gate and fuzz reports split in two and merged. The merged
 * summaries are those of the unsharded reports.
 */
import { describe, expect, it } from 'vitest';
import { loadAndRunSuite } from '../../src/app/run-suite.js';
import { runRuleProperties } from '../../src/properties/run-properties.js';
import { formatRunJson } from '../../src/report/run/json.js';
import { mergeFuzzReports, mergeGateReports, mergeRunReports } from '../../src/report/merge.js';
import { RUN_REPORTERS } from '../../src/report/run/registry.js';
import { GATE_REPORTERS } from '../../src/report/gate/registry.js';
import { FUZZ_REPORTERS } from '../../src/report/fuzz/registry.js';
import { FUZZ_RULES, GATE_MESSAGES, GATE_RULES, fuzzReport, gateReport } from './data.js';
import { SUITE, ext, sanitise } from './golden.js';

const shard = (index: number): unknown =>
  JSON.parse(formatRunJson(loadAndRunSuite(['rules'], ['cases'], { cwd: SUITE, minCoverage: 80, shard: { index, count: 2 }, properties: runRuleProperties }).report));

describe('merge-reports', () => {
  const whole = loadAndRunSuite(['rules'], ['cases'], { cwd: SUITE, minCoverage: 80, properties: runRuleProperties }).report;
  const run = mergeRunReports([shard(2), shard(1)]);

  it('run shards merge to the summary of the whole suite', () => {
    expect(run.report.summary).toEqual(whole.summary);
    expect(run.warnings).toEqual([]);
  });

  for (const r of RUN_REPORTERS.textReporters()) {
    it(`run, ${r.name}`, async () => {
      await expect(sanitise(r.render(run.report))).toMatchFileSnapshot(`merge/run-${r.name}${ext(r.name)}`);
    });
  }

  it('gate, text', async () => {
    const merged = mergeGateReports([gateReport(GATE_RULES.slice(2), GATE_MESSAGES), gateReport(GATE_RULES.slice(0, 2), GATE_MESSAGES.slice(0, 1))]);
    expect(merged.summary).toEqual(gateReport().summary);
    await expect(GATE_REPORTERS.textReporter('text')?.render(merged)).toMatchFileSnapshot('merge/gate-text.txt');
  });

  it('fuzz, text', async () => {
    const merged = mergeFuzzReports([fuzzReport(FUZZ_RULES.slice(1), 0.5), fuzzReport(FUZZ_RULES.slice(0, 1), 1)]);
    expect(merged.report.summary).toEqual({ ...fuzzReport().summary, findings: merged.report.summary.findings });
    await expect(FUZZ_REPORTERS.textReporter('text')?.render(merged.report)).toMatchFileSnapshot('merge/fuzz-text.txt');
  });
});

/**
 * Golden files of the HTML reporter (run and gate register the same one): the `<main>` of the
 * index page and of one rule page, from the fixture suite with rule pages, a hand-built fuzz
 * result and hand-built gate entries as extras (no fuzz pass: the goldens follow the reporter, not
 * the fuzzer). The page shell, style and script are constants checked in test/html/.
 */
import { describe, expect, it } from 'vitest';
import { loadAndRunSuite } from '../../src/app/run-suite.js';
import { runRuleProperties } from '../../src/properties/run-properties.js';
import { buildHtmlExtras } from '../../src/app/html-extras.js';
import { RUN_REPORTERS } from '../../src/report/run/registry.js';
import { GATE_REPORTERS } from '../../src/report/gate/registry.js';
import type { RuleFuzzResult } from '../../src/fuzz/fuzz-rule.js';
import type { GateEntry } from '../../src/report/html/types.js';
import { SUITE, mainOf, sanitise } from './golden.js';

const run = loadAndRunSuite(['rules'], ['cases'], { cwd: SUITE, minCoverage: 80, properties: runRuleProperties });
const extras = buildHtmlExtras(run.report, run.rules, { mapping: run.mapping, fuzzRuns: 0 });
const whoami = run.rules.find((r) => r.file.endsWith('whoami_recon.yml'));
if (whoami === undefined) throw new Error('fixture rule whoami_recon.yml not loaded');
const fuzz: RuleFuzzResult = {
  rule: whoami,
  status: 'pass',
  witnesses: [{ Image: 'C:\\Windows\\System32\\whoami.exe', User: 'CORP\\bob' }],
  runs: 30,
  findings: [
    {
      code: 'EXCLUSION_EVADABLE',
      severity: 'warning',
      message: 'filter_system also hides "C:\\Users\\Public\\whoami.exe"',
      event: { Image: 'C:\\Users\\Public\\whoami.exe', User: 'NT AUTHORITY\\SYSTEM' },
      seed: 42,
      path: '3:1',
      stage: 'filter_system',
      value: 'NT AUTHORITY\\SYSTEM',
    },
  ],
};
extras.fuzz = new Map([['rules/whoami_recon.yml', fuzz]]);
extras.fuzzSeed = 42;
const gate: GateEntry[] = [
  {
    path: 'rules/whoami_recon.yml',
    change: 'modified',
    diff: 'widened',
    checks: [
      { name: 'tests', status: 'pass', message: '2 match and 1 no-match cases, all passing' },
      { name: 'semantic-diff', status: 'warn', message: 'widened: 1 event <b>matches</b> now' },
    ],
    flipped: [{ Image: 'C:\\Tools\\whoami2.exe', User: 'CORP\\eve' }],
  },
  { path: 'rules/net_user_add.yml', change: 'added', diff: null, checks: [{ name: 'tests', status: 'fail', message: '1 case fails' }], flipped: [] },
];

describe('html reporter', () => {
  it('is the same renderer for run and gate', () => {
    expect(GATE_REPORTERS.get('html')?.render).toBeDefined();
    expect(RUN_REPORTERS.get('html')?.output).toBe('folder');
  });

  const reporter = RUN_REPORTERS.get('html');
  if (reporter?.output !== 'folder') throw new Error('the run registry has no html folder reporter');
  const files = reporter.render({ report: run.report, extras: { ...extras, gate, title: 'Golden suite' } });

  it('writes an index and a page per rule', () => {
    expect([...files.keys()]).toEqual(['index.html', 'rules/certutil_download.html', 'rules/net_user_add.html', 'rules/whoami_recon.html', 'rules/untested_rule.html', 'rules/whoami_burst.html']);
  });

  it('index page', async () => {
    await expect(sanitise(mainOf(files.get('index.html') ?? ''))).toMatchFileSnapshot('html/index.main.html');
  });

  it('rule page', async () => {
    await expect(sanitise(mainOf(files.get('rules/whoami_recon.html') ?? ''))).toMatchFileSnapshot('html/whoami_recon.main.html');
  });
});

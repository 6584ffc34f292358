/**
 * Hand-built inputs of the golden-file tests: a gate report, a fuzz report and a scan, small but
 * reaching every branch of their reporters (each check status, renames and deletions, messages
 * with and without a location, findings with and without an event or a position, matches from
 * JSON Lines and EVTX). Rule and event text includes what the escapers must handle: Markdown and
 * XML syntax, workflow-command separators, control characters.
 *
 * Built by hand rather than by running the gate, the fuzzer or a scan, so that the golden files
 * change when a reporter changes, not when the engines do.
 */
import { summarize } from '../../src/gate/gate-result.js';
import type { GateMessage, GateReport, GateRuleReport } from '../../src/gate/gate-result.js';
import { summarizeFuzz } from '../../src/fuzz/fuzz-report.js';
import type { FuzzReport, FuzzReportRule } from '../../src/fuzz/fuzz-report.js';
import type { CorrelationAlert, ScanMatch, ScanSummary } from '../../src/scan/scan.js';
import type { CorrelationRule } from '../../src/correlation/documents.js';
import { matchEvidence } from '../../src/scan/scan.js';
import { summarise } from '../../src/regression/regression.js';
import type { RegressionReport, RegressionResult } from '../../src/regression/regression.js';

// --- gate ----------------------------------------------------------------------------------

export const GATE_RULES: GateRuleReport[] = [
  {
    id: '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e81',
    title: 'Whoami | recon *via* <cmd>',
    path: 'rules/windows/whoami_recon.yml',
    change: 'modified',
    diff: 'widened',
    examples: { newMatches: [{ Image: 'C:\\Tools\\whoami2.exe', User: 'CORP\\eve' }], lostMatches: [] },
    line: 1,
    status: 'pass',
    checks: [
      { name: 'validate', status: 'pass', message: 'no problems' },
      { name: 'tests', status: 'pass', message: '2 match and 1 no-match cases, all passing' },
      { name: 'coverage', status: 'pass', message: 'coverage 100% (minimum 80%)' },
      { name: 'fuzz', status: 'warn', message: '1 warning', details: ['EXCLUSION_EVADABLE: filter_system also hides "C:\\Users\\Public\\whoami.exe"'], location: { file: 'rules/windows/whoami_recon.yml', line: 17, column: 9 } },
      {
        name: 'semantic-diff',
        status: 'warn',
        message: 'widened: 1 event matches now that did not before',
        details: ['new match: {"Image":"C:\\\\Tools\\\\whoami2.exe","User":"CORP\\\\eve"}'],
      },
      { name: 'corpus', status: 'pass', message: '0 matches in 1,204 benign events' },
    ],
  },
  {
    id: '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e82',
    title: 'Net user added, 100% sure: yes',
    path: 'rules/windows/net_user_add.yml',
    change: 'added',
    diff: null,
    line: 1,
    status: 'fail',
    checks: [
      { name: 'validate', status: 'fail', message: 'a modifier chain is invalid', details: ["rules/windows/net_user_add.yml:12:9: error MODIFIER_UNKNOWN: unknown modifier 'containz'"], location: { file: 'rules/windows/net_user_add.yml', line: 12, column: 9 } },
      { name: 'tests', status: 'fail', message: '0 match cases (at least 1 required)', details: ['case "renamed \x1b[31mnet\x1b[0m" (cases/net_user_add.yml:5): expected match, got no-match'] },
      { name: 'coverage', status: 'skip', message: 'no cases ran' },
      { name: 'fuzz', status: 'pass', message: 'no findings' },
      { name: 'corpus', status: 'fail', message: '2 matches in the benign corpus', details: ['corpus/admin.jsonl:7', 'corpus/admin.jsonl:19'] },
    ],
  },
  {
    id: '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e83',
    title: 'Encoded PowerShell',
    path: 'rules/windows/ps_encoded.yml',
    oldPath: 'rules/windows/powershell_encoded.yml',
    change: 'renamed',
    diff: 'equivalent',
    line: 3,
    status: 'pass',
    checks: [
      { name: 'validate', status: 'pass', message: 'no problems' },
      { name: 'semantic-diff', status: 'pass', message: 'equivalent: no example event changes verdict' },
    ],
  },
  {
    id: null,
    title: null,
    path: 'rules/old/retired.yml',
    change: 'deleted',
    diff: null,
    line: 1,
    status: 'pass',
    checks: [],
  },
];

export const GATE_MESSAGES: GateMessage[] = [
  { severity: 'warning', code: 'KNOWN_FP_EXPIRED', message: 'known false positive 3 expired on 2026-01-31', file: 'known-fps.yml', line: 14 },
  { severity: 'error', code: 'GATE_GIT_FAILED', message: 'git failed on the corpus folder: 50% of nothing, 100% unchecked' },
];

export function gateReport(rules: GateRuleReport[] = GATE_RULES, messages: GateMessage[] = GATE_MESSAGES): GateReport {
  const copy = structuredClone(rules);
  return {
    tool: 'sigmatest-gate',
    version: 1,
    base: '3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f40',
    baseRef: 'origin/main',
    shard: null,
    head: '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b',
    fingerprint: '4f1c0ffee0ddba11c0ffee0ddba11c0ffee0ddba11c0ffee0ddba11c0ffee0d',
    rules: copy,
    messages,
    summary: summarize(copy, messages),
  };
}

// --- fuzz ----------------------------------------------------------------------------------

export const FUZZ_RULES: FuzzReportRule[] = [
  {
    id: '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e81',
    title: 'Whoami | recon *via* <cmd>',
    path: 'rules/windows/whoami_recon.yml',
    status: 'pass',
    witnesses: 12,
    runs: 30,
    findings: [
      {
        code: 'EXCLUSION_EVADABLE',
        severity: 'warning',
        message: 'filter_system suppresses "C:\\Users\\Public\\whoami.exe" too: a copy in a user-writable folder slips through',
        event: { Image: 'C:\\Users\\Public\\whoami.exe', User: 'NT AUTHORITY\\SYSTEM' },
        seed: 42,
        path: '3:1',
        stage: 'filter_system',
        value: 'NT AUTHORITY\\SYSTEM',
        line: 17,
        column: 9,
      },
      { code: 'VALUE_SHADOWED', severity: 'warning', message: "'\\whoami.exe' is covered by 'whoami.exe'", seed: 42, path: '', stage: 'selection', value: '\\whoami.exe' },
    ],
  },
  {
    id: '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e82',
    title: 'Net user added',
    path: 'rules/windows/net_user_add.yml',
    status: 'fail',
    witnesses: 0,
    runs: 30,
    findings: [
      {
        code: 'RULE_UNSATISFIABLE',
        severity: 'error',
        message: "no event can match: CommandLine must equal both 'a' and 'b'",
        seed: 42,
        path: '',
        line: 9,
        column: 5,
      },
      {
        code: 'PROPERTY_FAILED',
        severity: 'error',
        message: 'the engine says no-match, the oracle says match for "\x1b]0;pwned\x07 user /add"',
        event: { CommandLine: '\x1b]0;pwned\x07 user /add', Image: 'C:\\Windows\\System32\\net.exe' },
        seed: 42,
        path: '7:0:1',
      },
    ],
  },
  {
    id: null,
    title: 'Correlation of logons',
    path: 'rules/windows/logon_burst.yml',
    status: 'unsupported',
    witnesses: 0,
    runs: 30,
    reason: 'the condition uses a near aggregation, which sigmatest does not evaluate',
    findings: [],
  },
];

export function fuzzReport(rules: FuzzReportRule[] = FUZZ_RULES, seconds = 1.5): FuzzReport {
  return { rules, summary: summarizeFuzz(rules, { seed: 42, runs: 30, seconds }) };
}

// --- scan ----------------------------------------------------------------------------------

const WHOAMI = { id: '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e81', title: 'Whoami | recon *via* <cmd>', file: 'rules/windows/whoami_recon.yml', document: 0 };
const NO_ID = { title: 'Keyword: mimikatz', file: 'rules/windows/mimikatz.yml', document: 0 };

const e1 = { Image: 'C:\\Windows\\System32\\whoami.exe', User: 'CORP\\bob', CommandLine: 'whoami /all' };
const e2 = { Image: 'C:\\Tools\\whoami.exe', User: 'CORP\\eve', CommandLine: 'whoami\r\n/priv \x1b[2J\x1b[H' };
const e3 = { Event: { System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' }, EventData: { Image: 'C:\\x\\mimikatz.exe', CommandLine: `mimikatz ${'sekurlsa::logonpasswords '.repeat(10)}` } } };
const flat3 = { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Image: 'C:\\x\\mimikatz.exe', CommandLine: e3.Event.EventData.CommandLine };

/** Matches in scan order: two from a JSON Lines file (one event matching two rules), one EVTX record. */
export const SCAN_MATCHES: ScanMatch[] = [
  { rule: WHOAMI, raw: e1, event: e1, file: 'events/host1.jsonl', index: 0, line: 1 },
  { rule: WHOAMI, raw: e2, event: e2, file: 'events/host1.jsonl', index: 3, line: 4 },
  { rule: NO_ID, raw: e2, event: e2, file: 'events/host1.jsonl', index: 3, line: 4 },
  { rule: NO_ID, raw: e3, event: flat3, file: 'events/sysmon.evtx', index: 17, line: 0, evidence: matchEvidence(['Image', 'CommandLine', 'ParentImage'], flat3, 'high') },
];

/** A correlation whose title needs escaping in every format. */
const BURST = {
  kind: 'correlation',
  file: 'rules/windows/logon_burst.yml',
  document: 0,
  id: '6e1f0c2a-8b3d-4e5f-9a7b-1c2d3e4f5a6b',
  title: 'Logon burst\x1b[31m <b>',
  tags: [],
  type: 'event_count',
  rules: [{ ref: 'failed_logon', path: 'correlation.rules[0]' }],
  groupBy: ['User', 'Computer'],
  timespan: { text: '5m', ms: 300_000 },
  condition: { ops: [{ op: 'gte', value: 3 }], defaulted: false },
  aliases: [],
  generate: false,
  pos: { line: 1, column: 1 },
  positions: {},
  raw: {},
  diagnostics: [],
} as const satisfies CorrelationRule;

/** One alert, decided after the first match: a group with a line break in a value, two event files. */
export const SCAN_ALERTS: CorrelationAlert[] = [
  {
    correlation: BURST as unknown as CorrelationRule,
    type: 'event_count',
    group: { User: 'CORP\\eve\r\n', Computer: 'pc-07' },
    start: Date.UTC(2024, 0, 15, 10, 0, 0),
    end: Date.UTC(2024, 0, 15, 10, 4, 30, 250) + 0.5,
    value: 3,
    events: [
      { file: 'events/host1.jsonl', index: 0, line: 1 },
      { file: 'events/host1.jsonl', index: 3, line: 4 },
      { file: 'events/sysmon.evtx', index: 17 },
    ],
    omitted: 0,
    inputs: ['failed_logon'],
    reported: true,
  },
];

export const SCAN_SUMMARY: ScanSummary = {
  events: 1234567,
  files: 2,
  rules: 3,
  rulesFailed: 1,
  correlations: 1,
  filters: 1,
  belowLevel: 2,
  skipped: [{ path: 'rules/needs_cdcs.yml', title: 'Needs known CDCs', reason: 'placeholder %known_cdcs% without values' }],
  matches: 4,
  correlationOnly: 5,
  alerts: 1,
  perCorrelation: [{ id: BURST.id ?? null, title: BURST.title, path: BURST.file, type: 'event_count', alerts: 1 }],
  suppressed: 2,
  perRule: [
    { id: WHOAMI.id, title: WHOAMI.title, path: WHOAMI.file, matches: 2, suppressed: 2 },
    { id: null, title: NO_ID.title, path: NO_ID.file, matches: 2, suppressed: 0 },
  ],
  knownFps: 3,
  expiredKnownFps: 1,
  errors: 1,
  warnings: 2,
  workers: 2,
  loadSeconds: 0.4567,
  deferredLoadSeconds: 0,
  seconds: 12.3456,
  eventsPerSecond: 100000.4,
};

/** The same scan with nothing matched (a reporter's empty case). */
export const SCAN_SUMMARY_EMPTY: ScanSummary = {
  ...SCAN_SUMMARY,
  matches: 0,
  suppressed: 0,
  perRule: [],
  knownFps: 0,
  expiredKnownFps: 0,
  errors: 0,
  warnings: 0,
  rulesFailed: 0,
  correlations: 0,
  filters: 0,
  correlationOnly: 0,
  alerts: 0,
  perCorrelation: [],
  skipped: [],
  belowLevel: 0,
  workers: 1,
};

/** A regression report: a pass, a failure with counts, an error, and a test without data. */
export function regressionReport(): RegressionReport {
  const results: RegressionResult[] = [
    { id: '5f2a3a11-9c51-4c1e-8a3d-6c0b3c9a8e21', path: 'rules/windows/process_creation/proc_creation_win_whoami.yml', test: 'whoami recon', status: 'pass', expected: 1, actual: 3, data: 'regression_data/rules/windows/whoami/info.json' },
    { id: '7c3b2a11-1c51-4c1e-8a3d-6c0b3c9a8e22', path: 'rules/windows/registry/registry_set_run_key.yml', test: 'run key written', status: 'fail', expected: 2, actual: 1, data: 'regression_data/rules/windows/run_key/info.json' },
    { id: null, path: 'rules/windows/builtin/win_security_broken.yml', test: 'broken data', status: 'error', expected: null, actual: null, message: 'cannot read regression_data/rules/windows/broken/info.json: no such file' },
    { id: '9d4c3b22-2d62-4d2f-9b66-7d1c4d0f9f33', path: 'rules/windows/dns_query/dns_query_win_tunnel.yml', test: 'dns tunnel', status: 'missing-data', expected: 1, actual: null },
  ];
  return { results, summary: summarise(results) };
}

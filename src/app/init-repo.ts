/**
 * `sigmatest init`: the files that make an existing rules repository a sigmatest one — the config
 * file, the cases folder, a vitest file running every case, and a GitHub workflow (the merge gate
 * on pull requests with annotations and SARIF, and every case of every rule). This module only
 * says what the files hold; the command writes those that do not exist yet (never overwriting).
 */
import { posix } from 'node:path';

/** One file `init` would write. */
export interface InitFile {
  /** Relative to the repository root, with `/`. */
  path: string;
  content: string;
  /** What it is, for the command's report. */
  what: string;
}

/** Where the repository keeps its rules and cases (relative paths with `/`). */
export interface InitLayout {
  rules: string;
  cases: string;
}

const q = (s: string): string => (/^[\w./-]+$/.test(s) ? s : JSON.stringify(s));

/** The files `sigmatest init` writes for a layout, in the order they are reported. */
export function initFiles(layout: InitLayout): InitFile[] {
  const rules = posix.normalize(layout.rules);
  const cases = posix.normalize(layout.cases);
  const config = [
    '# sigmatest configuration (see the sigmatest README: "Use it in your rules repository").',
    '# Paths are relative to this file. The command-line flags win over these defaults.',
    '',
    '# Values for %name% placeholders of |expand rules:',
    '# placeholders:',
    "#   Administrators: ['admin*', 'root']",
    '',
    'gate:',
    '  min_match: 1          # positive cases an added rule (or one whose meaning changed) needs',
    '  min_no_match: 1       # negative cases likewise',
    '  min_coverage: 0       # percent; 0 reports coverage without a minimum',
    '  fuzz_runs: 50',
    '  # corpus: [corpus/]   # benign events the changed rules must not match',
    '  # known_fps: known-fps.yml',
    '',
  ].join('\n');
  const casesReadme = [
    `# Cases of the rules in \`${rules}/\``,
    '',
    'One YAML file per rule: the rule (its id or its path), then cases, each with an event and',
    'whether the rule must match it. `npx sigmatest scaffold <rule file>` writes a starter file.',
    '',
    '```yaml',
    'rule: 5f0a7b3c-0000-4000-8000-000000000000',
    'cases:',
    '  - name: the attack',
    '    expect: match',
    '    event: { EventID: 1, Image: C:\\Windows\\System32\\cmd.exe }',
    '  - name: the admin tool that looks alike',
    '    expect: no-match',
    '    event: { EventID: 1, Image: C:\\Tools\\cmd.exe }',
    '```',
    '',
  ].join('\n');
  const vitestFile = [
    '// Written by `sigmatest init`: every case of every rule as a vitest test (`npx vitest`).',
    "import { sigmaCases } from 'sigmatest/vitest';",
    '',
    `sigmaCases({ rules: [${JSON.stringify(rules)}], cases: [${JSON.stringify(cases)}] });`,
    '',
  ].join('\n');
  const setup = [
    '      - uses: actions/checkout@v4',
    '        with:',
    '          fetch-depth: 0 # the gate compares with the merge-base',
    '      - uses: actions/setup-node@v4',
    '        with:',
    '          node-version: 20',
    '      - run: npm ci',
  ];
  const workflow = [
    '# Written by `sigmatest init`. On pull requests: the merge gate (annotations on the changed',
    '# lines, the summary on the run page, SARIF for code scanning). Always: every case of every rule.',
    'name: sigmatest',
    'on:',
    '  pull_request:',
    '  push:',
    '    branches: [main, master]',
    'permissions:',
    '  contents: read',
    'jobs:',
    '  gate:',
    "    if: github.event_name == 'pull_request'",
    '    runs-on: ubuntu-latest',
    '    permissions:',
    '      contents: read',
    '      security-events: write # upload-sarif',
    '    steps:',
    ...setup,
    '      - name: gate',
    `        run: npx sigmatest gate --base "origin/$GITHUB_BASE_REF" --rules ${q(rules)} --cases ${q(cases)} --reporter json --out gate.json`,
    '      - name: annotations and summary',
    "        if: always() && hashFiles('gate.json') != ''",
    '        run: npx sigmatest merge-reports gate.json --reporter github',
    '      - name: SARIF',
    "        if: always() && hashFiles('gate.json') != ''",
    '        run: npx sigmatest merge-reports gate.json --reporter sarif --out gate.sarif',
    "      - if: always() && hashFiles('gate.sarif') != ''",
    '        uses: github/codeql-action/upload-sarif@v3',
    '        with:',
    '          sarif_file: gate.sarif',
    '          category: sigmatest-gate',
    '  cases:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    ...setup,
    `      - run: npx sigmatest run --rules ${q(rules)} --cases ${q(cases)}`,
    '',
  ].join('\n');
  return [
    { path: 'sigmatest.config.yml', content: config, what: 'the config file' },
    { path: `${cases}/README.md`, content: casesReadme, what: 'the cases folder' },
    { path: 'tests/sigma-cases.test.mjs', content: vitestFile, what: 'the vitest file' },
    { path: '.github/workflows/sigmatest.yml', content: workflow, what: 'the GitHub workflow' },
  ];
}

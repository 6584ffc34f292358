/**
 * `sigmatest gate`: the merge gate for changed rules (src/gate/gate.ts). This file checks the
 * options, picks the reporter, writes the GitHub step summary and maps the outcome to an exit code:
 * 0 the gate passed, 1 it failed, 2 usage or configuration errors (unknown base...).
 */
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadAndRunSuite } from '../../app/run-suite.js';
import { runRuleProperties } from '../../properties/run-properties.js';
import { buildHtmlExtras } from '../../app/html-extras.js';
import { writeHtmlReport } from '../../report/html/write-html-report.js';
import type { GateEntry } from '../../report/html/types.js';
import type { HtmlReportInput } from '../../report/html/render-html-report.js';
import type { FolderReporter } from '../../report/registry.js';
import { EXIT, list, pipelineOption, shardArg, shardOption, str } from '../args.js';
import { noCacheOption, ruleCache } from '../rule-cache.js';
import type { CommandSpec, Parsed } from '../args.js';
import { printDiagnostics, shownPath } from '../io.js';
import type { Io } from '../io.js';
import { loadEnvironment } from '../../config/environment.js';
import type { Environment } from '../../config/environment.js';
import { runGate } from '../../gate/gate.js';
import { GATE_REPORTERS } from '../../report/gate/registry.js';
import { formatGateMarkdown } from '../../report/gate/markdown.js';
import type { GateReport } from '../../gate/gate-result.js';
import { writeFileAtomic } from '../../util/write-file-atomic.js';
import { eventInputs, fileInputs, outputProblem, yamlInputs } from '../outputs.js';

export const gateSpec: CommandSpec = {
  name: 'gate',
  summary: 'Merge gate: validate, test, fuzz, diff and corpus-check every rule changed against a base.',
  usage:
    'gate [--base <git ref>] [--rules <dirs...>] [--cases <dirs...>] [--corpus <paths...>] [--known-fps <file>]\n' +
    '                      [--min-coverage <percent>] [--min-mutation-score <percent>] [--min-match N] [--min-no-match N] [--require-tests changed|all] [--fuzz-runs N]\n' +
    `                      [--reporter ${GATE_REPORTERS.usage()}] [--out <file|dir>] [--shard i/n] [--config <file>] [--root <dir>]`,
  description:
    'Changed rules are those added, modified, renamed or deleted since the merge-base of --base (default: the\n' +
    'upstream, else main, else master) and HEAD, working tree included; without git every rule counts as added.\n' +
    'A rule whose case files changed is checked too (as unchanged); a positive case removed or flipped to no-match\n' +
    'fails tests-weakened unless the rule change explains it, and a case file left naming no rule fails.\n' +
    'Checks per rule: validate, tests (match and no-match cases, all passing), coverage, mutation (score of\n' +
    'sigmatest mutate; reported only without --min-mutation-score), fuzz, semantic-diff\n' +
    '(modified/renamed: widened, narrowed, changed or equivalent; lost detections of the base cases fail) and\n' +
    'corpus (no match on the benign corpus except known false positives). A changed correlation is checked for\n' +
    'validate (its document and references), tests (its correlation cases: alerting and quiet ones, all passing,\n' +
    'and the cases of every rule it refers to) and coverage; a changed filter for validate, tests (the cases of the\n' +
    'rules it applies to, with the filter), coverage and fuzz (a filter that suppresses every event fails).\n' +
    'Defaults may be set in the config file\n' +
    'under gate: (min_match, min_no_match, require_tests, min_coverage, min_mutation_score, fuzz_runs, corpus, known_fps, severities).\n' +
    'Case files read events_file only inside --root (default: the config\'s root, else their repository).\n' +
    'Exit 0 when the gate passes, 1 when a check fails, 2 on usage or configuration errors.\n\n' +
    GATE_REPORTERS.helpText(),
  options: {
    base: { type: 'string', arg: '<git ref>', help: 'compare with the merge-base of this ref and HEAD' },
    rules: { type: 'string', multiple: true, default: 'rules', arg: '<dirs...>', help: 'rule folders' },
    cases: { type: 'string', multiple: true, default: 'cases', arg: '<dirs...>', help: 'case folders' },
    corpus: { type: 'string', multiple: true, arg: '<paths...>', help: 'benign event files or folders (no corpus: check skipped)' },
    'known-fps': { type: 'string', arg: '<file>', help: 'known false positives accepted on the corpus' },
    'min-coverage': { type: 'string', arg: '<percent>', help: 'minimum case coverage per changed rule (default 0: reported only)' },
    'min-mutation-score': { type: 'string', arg: '<percent>', help: 'minimum mutation score per changed rule (see sigmatest mutate; default 0: reported only)' },
    'min-match': { type: 'string', arg: '<N>', help: 'match cases required per changed rule (default 1)' },
    'min-no-match': { type: 'string', arg: '<N>', help: 'no-match cases required per changed rule (default 1)' },
    'require-tests': {
      type: 'string',
      choices: ['changed', 'all'],
      help: 'which rules need --min-match/--min-no-match cases: changed (default) added rules and rules whose meaning changed, so renames and equivalent edits of rules without cases pass; all every changed rule',
    },
    'fuzz-runs': { type: 'string', arg: '<N>', help: 'fuzz runs per rule (default 50)' },
    reporter: { type: 'string', choices: GATE_REPORTERS.names, default: GATE_REPORTERS.defaultName, help: 'output format (see Reporters above; html: a folder, see --out)' },
    out: { type: 'string', arg: '<file|dir>', help: 'write the report to a file (atomically) instead of stdout; for html, the folder to write into' },
    shard: shardOption('check only shard i of n of the changed rules'),
    config: { type: 'string', arg: '<file>', help: 'sigmatest config file (placeholders, logsource mapping, gate defaults)' },
    root: { type: 'string', arg: '<dir>', help: "the folder case files may read events_file from (default: the config's root, else their repository)" },
    pipeline: pipelineOption,
    'no-cache': noCacheOption,
  },
};

function usage(io: Io, message: string): number {
  io.err(`sigmatest gate: ${message}\nSee 'sigmatest gate --help'.\n`);
  return EXIT.usage;
}

/** A whole number in [min, max], or an error message. */
function wholeNumber(text: string, flag: string, min: number, max: number): number | string {
  const v = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  return Number.isInteger(v) && v >= min && v <= max ? v : `--${flag} must be a whole number from ${min} to ${max}, not '${text}'`;
}

/** Writes a report with the chosen (text) reporter to --out or stdout, and the GitHub step summary. */
export function emitGateReport(report: GateReport, reporterName: string, out: string | undefined, io: Io): void {
  const reporter = GATE_REPORTERS.pick(reporterName);
  if (reporter.output !== 'text') throw new Error(`the gate reporter ${reporterName} does not write one text`);
  const text = reporter.render(report);
  if (reporterName === 'github') {
    // Annotations act only on a runner's stdout: they always go there; --out gets the Markdown summary.
    io.out(text);
    if (out !== undefined) {
      writeFileAtomic(resolve(io.cwd, out), formatGateMarkdown(report));
      io.err(`summary (markdown) written to ${out}\n`);
    }
  } else if (out !== undefined) {
    writeFileAtomic(resolve(io.cwd, out), text);
    io.err(`report written to ${out}\n`);
  } else io.out(text);
  const summaryFile = process.env['GITHUB_STEP_SUMMARY'];
  if (reporterName === 'github' && summaryFile !== undefined && summaryFile !== '') {
    try {
      appendFileSync(summaryFile, formatGateMarkdown(report));
    } catch (e) {
      io.err(`sigmatest gate: cannot write the step summary ${summaryFile}: ${(e as Error).message}\n`);
    }
  }
}

export async function gateCommand(args: Parsed, io: Io): Promise<number> {
  if (args.positionals.length > 0) return usage(io, `unexpected argument '${args.positionals[0] ?? ''}'`);
  const number = (flag: string, min: number, max: number): number | string | undefined => {
    const t = str(args.values[flag]);
    if (t === undefined) return undefined;
    if (flag === 'min-coverage' || flag === 'min-mutation-score') {
      const v = Number(t.replace(/%$/, ''));
      return t.trim() !== '' && Number.isFinite(v) && v >= 0 && v <= 100 ? v : `--${flag} takes a percentage from 0 to 100, not '${t}'`;
    }
    return wholeNumber(t, flag, min, max);
  };
  const minCoverage = number('min-coverage', 0, 100);
  const minMutationScore = number('min-mutation-score', 0, 100);
  const minMatch = number('min-match', 0, 1000);
  const minNoMatch = number('min-no-match', 0, 1000);
  const fuzzRuns = number('fuzz-runs', 1, 100000);
  for (const v of [minCoverage, minMutationScore, minMatch, minNoMatch, fuzzRuns]) if (typeof v === 'string') return usage(io, v);

  const shard = shardArg(args);
  const reporter = GATE_REPORTERS.pick(str(args.values.reporter));
  const out = str(args.values.out);
  if (reporter.output === 'folder' && out === undefined) return usage(io, `--reporter ${reporter.name} writes a folder; give it with --out <dir>`);

  // The config (with its gate: defaults, which the flags override) is read once, here.
  const environment = loadEnvironment(str(args.values.config), io.cwd, { pipelines: list(args.values.pipeline) });
  if (out !== undefined) {
    // Before the work: never over a rule, case, corpus, known-FP or config file, and somewhere writable.
    const gateDefaults = environment.config.gate;
    const inputs = [
      yamlInputs(io, list(args.values.rules)),
      yamlInputs(io, list(args.values.cases)),
      eventInputs(io, args.values.corpus !== undefined ? list(args.values.corpus) : (gateDefaults.corpus ?? [])),
      fileInputs(io, [str(args.values['known-fps']) ?? gateDefaults.knownFps], { config: str(args.values.config) }),
    ];
    const problem = outputProblem(io, out, inputs, reporter.output === 'folder');
    if (problem !== undefined) return usage(io, `--out ${out}: ${problem}`);
  }
  const outcome = await runGate({
    cwd: io.cwd,
    base: str(args.values.base),
    ruleDirs: list(args.values.rules),
    caseDirs: list(args.values.cases),
    corpus: args.values.corpus !== undefined ? list(args.values.corpus) : undefined,
    knownFps: str(args.values['known-fps']),
    minCoverage: minCoverage as number | undefined,
    minMutationScore: minMutationScore as number | undefined,
    minMatch: minMatch as number | undefined,
    minNoMatch: minNoMatch as number | undefined,
    fuzzRuns: fuzzRuns as number | undefined,
    requireTests: str(args.values['require-tests']) as 'changed' | 'all' | undefined,
    shard,
    environment,
    root: str(args.values.root),
    cache: ruleCache(args, io),
  });
  if (outcome.kind === 'usage') {
    printDiagnostics(io, outcome.diagnostics);
    io.err(`sigmatest gate: ${outcome.message}\n`);
    return EXIT.usage;
  }
  try {
    if (reporter.output === 'folder' && out !== undefined) {
      writeGateHtml(reporter, outcome.report, list(args.values.rules), list(args.values.cases), environment, resolve(io.cwd, out), io, str(args.values.root));
    } else emitGateReport(outcome.report, reporter.name, out, io);
  } catch (e) {
    io.err(`sigmatest gate: cannot write ${out ?? 'the report'}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  return outcome.report.summary.ok ? EXIT.ok : EXIT.failed;
}

/**
 * The gate as HTML: the suite of the rule tree (every rule's cases, coverage and fuzz findings)
 * with the gate's column on the index and, on each changed rule's page, its checks, its diff
 * classification and the flipped example events.
 */
function writeGateHtml(reporter: FolderReporter<HtmlReportInput>, report: GateReport, ruleDirs: string[], caseDirs: string[], environment: Environment, out: string, io: Io, root: string | undefined): void {
  const suite = loadAndRunSuite(
    ruleDirs.map((d) => resolve(io.cwd, d)),
    caseDirs.map((d) => resolve(io.cwd, d)),
    { environment, cwd: io.cwd, root, properties: runRuleProperties },
  );
  const extras = buildHtmlExtras(suite.report, suite.rules, { mapping: suite.mapping, onProblem: (path, message) => io.err(`sigmatest gate: html report: ${path}: ${message}\n`) });
  const gate: GateEntry[] = report.rules.map((r) => ({
    path: r.path,
    ...(r.oldPath !== undefined ? { oldPath: r.oldPath } : {}),
    change: r.change,
    diff: r.diff,
    checks: r.checks.map((c) => ({ name: c.name, status: c.status, message: c.message })),
    flipped: [...(r.examples?.newMatches ?? []), ...(r.examples?.lostMatches ?? [])],
  }));
  const written = writeHtmlReport(out, reporter.render({ report: suite.report, extras: { ...extras, gate, title: `sigmatest gate: ${report.summary.ok ? 'pass' : 'FAILED'}` } }));
  io.err(`sigmatest gate: html report written to ${shownPath(io, out)} (${written.length} files)\n`);
}

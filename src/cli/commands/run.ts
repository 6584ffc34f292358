/**
 * `sigmatest run`: every case file against its rule (cases and properties), failures explained,
 * coverage per stage. Exit 0 when all cases and properties pass and coverage is above the
 * threshold, 1 on failures (closed known gaps too, with --strict), low coverage or a suite that
 * checks nothing, 2 on usage errors or unreadable rule/case files.
 */
import { loadSuite, runLoadedSuite, suiteHasProperties } from '../../app/run-suite.js';
import type { PropertyRunner } from '../../cases/run-cases.js';
import { fingerprint, gitHead } from '../../util/provenance.js';
import { listYamlFiles } from '../../rules/collect-rules.js';
import { EXIT, list, pipelineOption, placeholdersOption, shardArg, shardOption, str } from '../args.js';
import { noCacheOption, ruleCache } from '../rule-cache.js';
import type { CommandSpec, Parsed } from '../args.js';
import { inCwd, printDiagnostics, shownPath } from '../io.js';
import type { Io } from '../io.js';
import type { DiagnosticCode } from '../../diagnostics/codes.js';
import { RUN_REPORTERS } from '../../report/run/registry.js';
import { writeHtmlReport } from '../../report/html/write-html-report.js';
import { writeFileAtomic } from '../../util/write-file-atomic.js';
import { outputConflict } from '../../util/output-target.js';
import { fileInputs, outputProblem, yamlInputs } from '../outputs.js';
import { terminalLine } from '../../report/escape.js';

/**
 * Errors the run reports as failures (exit 1), not as unreadable input (exit 2): a case file's
 * binding to its rule, and a rule that failed while matching its cases (as `scan` exits 1 on it).
 */
const CASE_BINDING_CODES: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>(['CASE_RULE_MISSING', 'CASE_RULE_UNKNOWN', 'CASE_RULE_AMBIGUOUS', 'CASE_STAGE_UNKNOWN', 'CASE_EVENTS_EMPTY', 'RULE_MATCH_FAILED']);

export const runSpec: CommandSpec = {
  name: 'run',
  summary: 'Run the declarative cases and properties of every rule and report results and coverage per stage.',
  usage: `run [--rules <dirs...>] [--cases <dirs...>] [--reporter ${RUN_REPORTERS.usage()}] [--min-coverage <percent>] [--coverage-from all|cases] [--seed S] [--strict] [--save] [--out <file|dir>] [--root <dir>] [--placeholders error|skip] [--mutation]`,
  description:
    'Case files (YAML, schema/case-file.schema.json) name their rule by id or by path and list cases with an\n' +
    'event and expect: match|no-match, or an events_file with expect or count, and properties: events built from\n' +
    'a case or a template, varied by mutation operators (recase, respell, relocate, lookalike, embed, windash,\n' +
    'details, drop) and {gen: KIND} expressions, with expect: match|no-match|same; failures are shrunk and shown\n' +
    'with the seed that replays them; known_gap marks an expected failure. Coverage: every stage seen true and\n' +
    'false, every value matched, every excluded value the reason for a no-match, from cases and from property runs.\n' +
    'A case file reads events_file (and a rule named by path) only inside its root: --root, else the config\'s\n' +
    'root, else its repository (the nearest folder with .git); absolute paths, .. and links leading out,\n' +
    'devices and FIFOs are refused. An events_file with no events fails its case.\n\n' +
    RUN_REPORTERS.helpText(),
  options: {
    rules: { type: 'string', multiple: true, default: 'rules', arg: '<dirs...>', help: 'rule files or folders' },
    cases: { type: 'string', multiple: true, default: 'cases', arg: '<dirs...>', help: 'case files or folders' },
    reporter: { type: 'string', choices: RUN_REPORTERS.names, default: RUN_REPORTERS.defaultName, help: 'output format (see Reporters above; html: a folder, see --out)' },
    'min-coverage': { type: 'string', arg: '<percent>', help: 'fail rules whose coverage is below this percentage' },
    'coverage-from': { type: 'string', choices: ['all', 'cases'], default: 'all', help: 'the coverage --min-coverage applies to: cases and properties together (all), or cases alone' },
    seed: { type: 'string', arg: '<S>', help: 'seed of every property (default: derived from the rule id and the property name)' },
    strict: { type: 'boolean', help: 'a known gap that no longer shows (gap closed) fails the run' },
    save: { type: 'boolean', help: "add each property's counterexample to its case file as a case (after the last case; never a duplicate)" },
    out: { type: 'string', arg: '<file|dir>', help: 'write the report to a file (atomically) instead of stdout; for html, the folder to write into' },
    config: { type: 'string', arg: '<file>', help: 'sigmatest config file (placeholders, logsource mapping)' },
    root: { type: 'string', arg: '<dir>', help: "the folder case files may read events_file from (default: the config's root, else their repository)" },
    pipeline: pipelineOption,
    placeholders: placeholdersOption,
    'no-cache': noCacheOption,
    shard: shardOption('run shard i of n of the rules'),
    mutation: { type: 'boolean', help: 'with --reporter html: add each rule\'s mutation score and mutants to its page (as sigmatest mutate; slower)' },
  },
};

export async function runCommand(args: Parsed, io: Io): Promise<number> {
  const minText = str(args.values['min-coverage']);
  let min: number | undefined;
  if (minText !== undefined) {
    min = Number(minText.replace(/%$/, ''));
    if (!Number.isFinite(min) || min < 0 || min > 100) {
      io.err(`sigmatest run: --min-coverage takes a percentage from 0 to 100, not '${minText}'\n`);
      return EXIT.usage;
    }
  }
  const reporter = RUN_REPORTERS.pick(str(args.values.reporter));
  const out = str(args.values.out);
  if (reporter.output === 'folder' && out === undefined) {
    io.err(`sigmatest run: --reporter ${reporter.name} writes a folder; give it with --out <dir>\n`);
    return EXIT.usage;
  }
  const seedText = str(args.values.seed);
  if (seedText !== undefined && !/^\d+$/.test(seedText)) {
    io.err(`sigmatest run: --seed takes a non-negative integer, not '${seedText}'\n`);
    return EXIT.usage;
  }
  const seed = seedText === undefined ? undefined : Number(seedText) % 0x80000000;
  const shard = shardArg(args);
  if (out !== undefined) {
    // Before the work: never over a rule, case file or the config, and somewhere writable.
    const problem = outputProblem(io, out, [yamlInputs(io, list(args.values.rules)), yamlInputs(io, list(args.values.cases)), fileInputs(io, [], { config: str(args.values.config) })], reporter.output === 'folder');
    if (problem !== undefined) {
      io.err(`sigmatest run: --out ${out}: ${problem}\n`);
      return EXIT.usage;
    }
  }
  const suite = loadSuite(list(args.values.rules), list(args.values.cases), { config: str(args.values.config), cwd: io.cwd, shard, root: str(args.values.root), pipelines: list(args.values.pipeline), placeholders: str(args.values.placeholders) as 'error' | 'skip' | undefined, cache: ruleCache(args, io) });
  // The cases' events files are known once the case files are read (still before the run).
  const overEvents = out === undefined ? undefined : outputConflict(inCwd(io, out), [{ paths: suite.eventFiles, wanted: () => false }], { folder: reporter.output === 'folder' });
  if (out !== undefined && overEvents !== undefined) {
    io.err(`sigmatest run: --out ${out}: ${overEvents}\n`);
    return EXIT.usage;
  }
  // The property runner (and with it the generators and Faker) is loaded only for suites with properties.
  let properties: PropertyRunner | undefined;
  if (suiteHasProperties(suite)) properties = (await import('../../properties/run-properties.js')).runRuleProperties;
  const { report, input, rules, mapping } = runLoadedSuite(suite, {
    minCoverage: min,
    coverageFrom: str(args.values['coverage-from']) === 'cases' ? 'cases' : 'all',
    strict: args.values.strict === true,
    seed,
    properties,
  });
  if (reporter.name === 'json') {
    // What merge-reports checks: the shard, the commit, and the inputs every shard shares.
    const listed = listYamlFiles([...list(args.values.rules), ...list(args.values.cases)].map((p) => inCwd(io, p)));
    report.provenance = {
      shard: shard ?? null,
      head: gitHead(io.cwd),
      fingerprint: fingerprint(
        { command: 'run', rules: list(args.values.rules), cases: list(args.values.cases), minCoverage: min ?? null, coverageFrom: str(args.values['coverage-from']) ?? null, strict: args.values.strict === true, seed: seed ?? null, config: str(args.values.config) ?? null, root: str(args.values.root) ?? null, pipelines: list(args.values.pipeline), placeholders: str(args.values.placeholders) ?? null },
        listed.files,
      ),
    };
  }
  if (args.values.save === true) {
    // Through the case-file writer: under each case file's lock, checked against the file as it is then.
    const { saveCounterexamples } = await import('../../app/save-counterexamples.js');
    const saved = saveCounterexamples(report, suite.caseFiles, io.cwd);
    for (const s of saved) {
      if (s.error !== undefined) io.err(`${terminalLine(`sigmatest run: --save: ${s.error}`)}\n`);
      else io.err(`${terminalLine(`run: saved ${s.saved} counterexample case(s) to ${shownPath(io, s.file)}`)}\n`);
    }
    if (saved.length === 0) io.err('run: no counterexample to save\n');
    if (saved.some((s) => s.error !== undefined)) return EXIT.usage;
  }
  try {
    if (reporter.output === 'folder' && out !== undefined) {
      // Loaded only for the HTML report: its extras fuzz every rule, and the fuzzer's generators
      // (faker among them) cost a plain run 0.3-0.4 s to import.
      const { buildHtmlExtras } = await import('../../app/html-extras.js');
      const extras = buildHtmlExtras(report, rules, { mapping, onProblem: (path, message) => io.err(`sigmatest run: html report: ${path}: ${message}\n`) });
      if (args.values.mutation === true) {
        const { mutateSuite } = await import('../../app/mutate-suite.js');
        const mutated = mutateSuite(list(args.values.rules), list(args.values.cases), { config: str(args.values.config), cwd: io.cwd, shard, root: str(args.values.root), pipelines: list(args.values.pipeline), placeholders: str(args.values.placeholders) as 'error' | 'skip' | undefined, properties });
        extras.mutation = new Map(mutated.report.rules.map((r) => [r.id === null ? r.path : `${r.path}#${r.id}`, r]));
      }
      const written = writeHtmlReport(inCwd(io, out), reporter.render({ report, extras }));
      io.err(`html report written to ${out}/index.html (${written.length} files)\n`);
      printDiagnostics(io, input);
    } else if (reporter.output === 'text') {
      const text = reporter.render(report);
      if (out !== undefined) {
        writeFileAtomic(inCwd(io, out), text);
        io.err(`report written to ${out}\n`);
      } else io.out(text);
      // The text reporter prints the diagnostics itself; for the other formats they go to stderr.
      if (reporter.name !== 'text') printDiagnostics(io, input);
    }
  } catch (e) {
    // The place was writable when checked; it may have changed since (a full disk...).
    io.err(`sigmatest run: cannot write ${out ?? 'the report'}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const unreadable = input.some((d) => d.severity === 'error' && !CASE_BINDING_CODES.has(d.code));
  if (unreadable) return EXIT.usage;
  return report.summary.ok ? EXIT.ok : EXIT.failed;
}

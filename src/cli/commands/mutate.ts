/**
 * `sigmatest mutate`: mutation testing of every tested rule (see the README, Mutation score).
 * Exit 0 when every rule's mutation score is at or above --min-score (or none is given), 1 when a
 * rule is below it or no rule was tested, 2 on usage errors or unreadable rule/case files.
 */
import { suiteHasProperties, loadSuite } from '../../app/run-suite.js';
import type { PropertyRunner } from '../../cases/run-cases.js';
import { EXIT, list, pipelineOption, shardArg, shardOption, str } from '../args.js';
import { noCacheOption, ruleCache } from '../rule-cache.js';
import type { CommandSpec, Parsed } from '../args.js';
import { inCwd, shownPath } from '../io.js';
import type { Io } from '../io.js';
import { MUTATION_REPORTERS } from '../../report/mutate/registry.js';
import { writeFileAtomic } from '../../util/write-file-atomic.js';
import { fileInputs, outputProblem, yamlInputs } from '../outputs.js';
import { terminalLine } from '../../report/escape.js';
import type { DiagnosticCode } from '../../diagnostics/codes.js';

/** Errors of a case file's binding to its rule: failures (exit 1), as in run, not unreadable input (exit 2). */
const CASE_BINDING_CODES: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>(['CASE_RULE_MISSING', 'CASE_RULE_UNKNOWN', 'CASE_RULE_AMBIGUOUS', 'CASE_STAGE_UNKNOWN', 'CASE_EVENTS_EMPTY']);

export const mutateSpec: CommandSpec = {
  name: 'mutate',
  summary: "Mutation testing: how many small, plausible changes of each rule do its cases and properties notice?",
  usage: `mutate [--rules <dirs...>] [--cases <dirs...>] [--reporter ${MUTATION_REPORTERS.usage()}] [--min-score <percent>] [--save] [--shard i/n] [--out <file>]`,
  description:
    'Each rule with a case file is mutated from its plan (value-drop, item-drop, modifier-change, modifier-drop,\n' +
    'and-or, not-drop, exclusion-drop, of-quantifier, literal-typo, compare-boundary, path-backslash) and every\n' +
    'mutant runs against the rule\'s cases and properties: killed when one changes outcome. For a survivor, an event\n' +
    'on which the rule and the mutant disagree is searched for (the semantic diff of gate) and shown with the\n' +
    "rule's verdict; when none is found the mutant is equivalent? and left out of the score.\n" +
    'Score = killed / (mutants - equivalent), per rule and overall. --save adds each killer event to the rule\'s\n' +
    "case file as a case with the rule's verdict (never a duplicate; atomically, under the file's lock).\n\n" +
    MUTATION_REPORTERS.helpText(),
  options: {
    rules: { type: 'string', multiple: true, default: 'rules', arg: '<dirs...>', help: 'rule files or folders' },
    cases: { type: 'string', multiple: true, default: 'cases', arg: '<dirs...>', help: 'case files or folders' },
    reporter: { type: 'string', choices: MUTATION_REPORTERS.names, default: MUTATION_REPORTERS.defaultName, help: 'output format' },
    'min-score': { type: 'string', arg: '<percent>', help: 'fail rules whose mutation score is below this percentage' },
    save: { type: 'boolean', help: "add each survivor's killer event to the rule's case file as a case with the rule's verdict" },
    out: { type: 'string', arg: '<file>', help: 'write the report to a file (atomically) instead of stdout' },
    config: { type: 'string', arg: '<file>', help: 'sigmatest config file (placeholders, logsource mapping)' },
    root: { type: 'string', arg: '<dir>', help: "the folder case files may read events_file from (default: the config's root, else their repository)" },
    pipeline: pipelineOption,
    'no-cache': noCacheOption,
    shard: shardOption('mutate shard i of n of the rules'),
  },
};

export async function mutateCommand(args: Parsed, io: Io): Promise<number> {
  const minText = str(args.values['min-score']);
  let min: number | undefined;
  if (minText !== undefined) {
    min = Number(minText.replace(/%$/, ''));
    if (minText.trim() === '' || !Number.isFinite(min) || min < 0 || min > 100) {
      io.err(`sigmatest mutate: --min-score takes a percentage from 0 to 100, not '${minText}'\n`);
      return EXIT.usage;
    }
  }
  const reporter = MUTATION_REPORTERS.pick(str(args.values.reporter));
  const out = str(args.values.out);
  const shard = shardArg(args);
  if (out !== undefined) {
    const problem = outputProblem(io, out, [yamlInputs(io, list(args.values.rules)), yamlInputs(io, list(args.values.cases)), fileInputs(io, [], { config: str(args.values.config) })], false);
    if (problem !== undefined) {
      io.err(`sigmatest mutate: --out ${out}: ${problem}\n`);
      return EXIT.usage;
    }
  }
  const options = { config: str(args.values.config), cwd: io.cwd, shard, root: str(args.values.root), pipelines: list(args.values.pipeline), cache: ruleCache(args, io) };
  // The property runner is loaded only when some case file has properties (as for run).
  let properties: PropertyRunner | undefined;
  if (suiteHasProperties(loadSuite(list(args.values.rules), list(args.values.cases), options))) properties = (await import('../../properties/run-properties.js')).runRuleProperties;
  const { mutateSuite, saveKillers } = await import('../../app/mutate-suite.js');
  const { report, results } = mutateSuite(list(args.values.rules), list(args.values.cases), { ...options, properties, minScore: min });
  if (args.values.save === true) {
    const saved = saveKillers(results);
    for (const s of saved) {
      if (s.error !== undefined) io.err(`${terminalLine(`sigmatest mutate: --save: ${s.error}`)}\n`);
      else io.err(`${terminalLine(`mutate: saved ${s.saved} killer case(s) to ${shownPath(io, s.file)}`)}\n`);
    }
    if (saved.length === 0) io.err('mutate: no killer event to save\n');
    if (saved.some((s) => s.error !== undefined)) return EXIT.usage;
  }
  const text = reporter.render(report);
  try {
    if (out !== undefined) {
      writeFileAtomic(inCwd(io, out), text);
      io.err(`report written to ${out}\n`);
    } else io.out(text);
  } catch (e) {
    io.err(`sigmatest mutate: cannot write ${out}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  if (report.diagnostics.some((d) => d.severity === 'error' && !CASE_BINDING_CODES.has(d.code))) return EXIT.usage;
  if (report.rules.length === 0) {
    io.err('sigmatest mutate: no rule with a case file: nothing to mutate\n');
    return EXIT.failed;
  }
  return report.summary.ok ? EXIT.ok : EXIT.failed;
}

/**
 * `sigmatest scaffold <rule>`: writes a starter case file for a rule (one matching witness, one
 * no-match case per excluded value); refuses to overwrite an existing file.
 */
import { EXIT, list, pipelineOption, str } from '../args.js';
import type { CommandSpec, Parsed } from '../args.js';
import { inCwd, printDiagnostics, shownPath } from '../io.js';
import { loadEnvironment, pipelineFailed, ruleLoadOptions } from '../../config/environment.js';
import type { Io } from '../io.js';
import { loadRuleFile } from '../../rules/load-rule.js';
import { scaffoldCases } from '../../fuzz/scaffold.js';
import { casePipelineRefs, caseFileFor, writeNewCaseFile } from '../../fuzz/case-writer.js';

export const scaffoldSpec: CommandSpec = {
  name: 'scaffold',
  summary: 'Write a starter case file for a rule: a matching event and one no-match case per excluded value.',
  usage: 'scaffold <rule file> [--out <case file>] [--cases <dir>] [--seed S]',
  description: 'The events are generated from the rule; replace them with real ones where you have them. An existing file is never overwritten.',
  options: {
    out: { type: 'string', arg: '<file>', help: 'the case file to write (default: <cases dir>/<rule file name>.yml)' },
    cases: { type: 'string', default: 'cases', arg: '<dir>', help: 'folder for the new case file' },
    seed: { type: 'string', default: '1', arg: '<S>', help: 'seed of the generated events' },
    config: { type: 'string', arg: '<file>', help: 'sigmatest config file (placeholders, logsource mapping)' },
    pipeline: pipelineOption,
  },
};

export function scaffoldCommand(args: Parsed, io: Io): number {
  const [ruleFile, ...extra] = args.positionals;
  const seed = Number(str(args.values.seed) ?? '1');
  if (ruleFile === undefined || extra.length > 0 || !Number.isInteger(seed)) {
    io.err("sigmatest scaffold takes one rule file (and an integer --seed). See 'sigmatest scaffold --help'.\n");
    return EXIT.usage;
  }
  const env = loadEnvironment(str(args.values.config), io.cwd, { pipelines: list(args.values.pipeline) });
  printDiagnostics(io, env.diagnostics);
  if (pipelineFailed(env)) {
    io.err('sigmatest scaffold: the processing pipeline cannot be used\n');
    return EXIT.usage;
  }
  const loaded = loadRuleFile(inCwd(io, ruleFile), ruleLoadOptions(env));
  printDiagnostics(io, loaded.diagnostics);
  const rule = loaded.rules[0];
  if (rule === undefined || loaded.rules.length > 1) {
    io.err(`sigmatest scaffold: ${ruleFile} ${rule === undefined ? 'has no loadable detection rule' : 'holds several rules; scaffold one at a time'}\n`);
    return EXIT.usage;
  }
  const outArg = str(args.values.out);
  const target = outArg !== undefined ? inCwd(io, outArg) : caseFileFor(rule.file, inCwd(io, str(args.values.cases) ?? 'cases'));
  const { cases, skipped } = scaffoldCases(rule, env.mapping, seed);
  for (const s of skipped) io.err(`scaffold: ${s}\n`);
  // The case file names the command's pipelines, so that its events (in the mapped shape) run through them.
  try {
    writeNewCaseFile(target, rule, cases, casePipelineRefs(env.pipelineArgs, io.cwd, target));
  } catch (e) {
    io.err(`sigmatest scaffold: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  io.err(`scaffold: wrote ${cases.length} case(s) to ${shownPath(io, target)}\n`);
  return cases.length > 0 ? EXIT.ok : EXIT.failed;
}

/**
 * `sigmatest scaffold <rule>`: writes a starter case file for a rule (one matching witness, one
 * no-match case per excluded value, starter properties); refuses to overwrite an existing file.
 */
import { EXIT, list, pipelineOption, str } from '../args.js';
import { noCacheOption, ruleCache } from '../rule-cache.js';
import type { CommandSpec, Parsed } from '../args.js';
import { inCwd, printDiagnostics, shownPath } from '../io.js';
import { loadEnvironment, pipelineFailed, ruleLoadOptions } from '../../config/environment.js';
import type { Io } from '../io.js';
import { loadRuleFile } from '../../rules/load-rule.js';
import { scaffoldCases } from '../../fuzz/scaffold.js';
import { casePipelineRefs, caseFileFor, writeNewCaseFile } from '../../fuzz/case-writer.js';
import { scaffoldCorrelationCases, writeNewCorrelationCaseFile } from '../../fuzz/scaffold-correlation.js';
import { collectRuleSet } from '../../correlation/rule-set.js';
import { DEFAULT_TIME_FIELDS } from '../../correlation/event-time.js';
import { ruleKey } from '../../rules/rule-key.js';

export const scaffoldSpec: CommandSpec = {
  name: 'scaffold',
  summary: 'Write a starter case file for a rule (a matching event, one no-match case per excluded value, starter properties) or a correlation.',
  usage: 'scaffold <rule file> [--out <case file>] [--cases <dir>] [--seed S] [--rules <paths...>]',
  description:
    'The events are generated from the rule; replace them with real ones where you have them. Starter properties:\n' +
    'respell for registry-key fields, relocate (must match) and recase (stays excluded) for excluded paths, embed\n' +
    'for fields tested with contains. Each is run once: one that does not hold is written with a known_gap to\n' +
    'review (fix the rule, or keep it and give the reason). An existing file is never overwritten.\n' +
    'For a file holding a correlation rule (the outermost one of the file), the case file has a timestamped sequence that\n' +
    'makes it alert for one group (with an event of another group that does not) and a quiet one, each checked by the\n' +
    'correlation engine before it is written; --rules names where the rules it refers to are.',
  options: {
    rules: { type: 'string', multiple: true, arg: '<paths...>', help: 'rule files or folders the correlation refers to (besides the file itself)' },
    out: { type: 'string', arg: '<file>', help: 'the case file to write (default: <cases dir>/<rule file name>.yml)' },
    cases: { type: 'string', default: 'cases', arg: '<dir>', help: 'folder for the new case file' },
    seed: { type: 'string', default: '1', arg: '<S>', help: 'seed of the generated events' },
    config: { type: 'string', arg: '<file>', help: 'sigmatest config file (placeholders, logsource mapping)' },
    pipeline: pipelineOption,
    'no-cache': noCacheOption,
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
  // A file with a correlation: a starter correlation case.
  const set = collectRuleSet([inCwd(io, ruleFile), ...list(args.values.rules).map((p) => inCwd(io, p))], ruleLoadOptions(env, ruleCache(args, io)));
  const own = ruleKey({ file: inCwd(io, ruleFile), document: 0 });
  const inFile = set.correlationDocs.filter((c) => ruleKey({ file: c.file, document: 0 }) === own);
  if (inFile.length > 0) return scaffoldCorrelation(args, io, set, inFile, env);
  const loaded = loadRuleFile(inCwd(io, ruleFile), ruleLoadOptions(env));
  printDiagnostics(io, loaded.diagnostics);
  const rule = loaded.rules[0];
  if (rule === undefined || loaded.rules.length > 1) {
    io.err(`sigmatest scaffold: ${ruleFile} ${rule === undefined ? 'has no loadable detection rule' : 'holds several rules; scaffold one at a time'}\n`);
    return EXIT.usage;
  }
  const outArg = str(args.values.out);
  const target = outArg !== undefined ? inCwd(io, outArg) : caseFileFor(rule.file, inCwd(io, str(args.values.cases) ?? 'cases'));
  const { cases, properties, skipped } = scaffoldCases(rule, env.mapping, seed);
  for (const s of skipped) io.err(`scaffold: ${s}\n`);
  // The case file names the command's pipelines, so that its events (in the mapped shape) run through them.
  try {
    writeNewCaseFile(target, rule, cases, { properties, pipelines: casePipelineRefs(env.pipelineArgs, io.cwd, target) });
  } catch (e) {
    io.err(`sigmatest scaffold: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const review = properties.filter((p) => p.knownGap !== undefined);
  io.err(`scaffold: wrote ${cases.length} case(s) and ${properties.length} propert${properties.length === 1 ? 'y' : 'ies'} to ${shownPath(io, target)}\n`);
  for (const p of review) io.err(`scaffold: property '${p.name}' does not hold; it is written with a known_gap to review\n`);
  return cases.length > 0 ? EXIT.ok : EXIT.failed;
}

/** `scaffold` of a correlation file: the outermost correlation of the file (the one no other of it refers to). */
function scaffoldCorrelation(args: Parsed, io: Io, set: ReturnType<typeof collectRuleSet>, inFile: ReturnType<typeof collectRuleSet>['correlationDocs'], env: ReturnType<typeof loadEnvironment>): number {
  printDiagnostics(io, set.diagnostics.filter((d) => d.severity === 'error' || inFile.some((c) => c.file === d.file)));
  const resolved = set.graph.correlations.filter((c) => inFile.includes(c.rule));
  const outer = resolved.filter((c) => !resolved.some((o) => o.inputs.some((i) => i.target.rule === c.rule)));
  const target = outer[0];
  if (target === undefined || outer.length > 1) {
    io.err(`sigmatest scaffold: ${target === undefined ? 'the correlation cannot be evaluated (see its errors; --rules names where the rules it refers to are)' : 'the file holds several correlations no other one refers to; scaffold one at a time'}\n`);
    return EXIT.usage;
  }
  const outArg = str(args.values.out);
  const caseFile = outArg !== undefined ? inCwd(io, outArg) : caseFileFor(target.rule.file, inCwd(io, str(args.values.cases) ?? 'cases'));
  const seed = Number(str(args.values.seed) ?? '1');
  // Events carry `timestamp` (a default time field), or the first configured one when the config leaves it out.
  const configured = env.config.correlation.timeFields ?? DEFAULT_TIME_FIELDS;
  const timeField = configured.includes('timestamp') ? 'timestamp' : (configured[0] ?? 'timestamp');
  const { cases, skipped } = scaffoldCorrelationCases(target, set.graph, { mapping: env.mapping, timeField, seed, caseFile: caseFile });
  for (const s of skipped) io.err(`scaffold: ${s}\n`);
  if (cases.length === 0) {
    io.err('sigmatest scaffold: no correlation case could be generated (above); write one by hand\n');
    return EXIT.failed;
  }
  try {
    writeNewCorrelationCaseFile(caseFile, target, cases);
  } catch (e) {
    io.err(`sigmatest scaffold: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  io.err(`scaffold: wrote ${cases.length} correlation case(s) to ${shownPath(io, caseFile)}\n`);
  return EXIT.ok;
}

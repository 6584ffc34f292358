/**
 * `sigmatest eval`: rules × events, one JSON line per match, one per rule that failed to load.
 * Events stream file by file; N counts events from 0 across all event files in order.
 */
import { EXIT, list, pipelineOption, str } from '../args.js';
import { noCacheOption, ruleCache } from '../rule-cache.js';
import type { CommandSpec, Parsed } from '../args.js';
import { inCwd, printDiagnostics, shownPath } from '../io.js';
import { loadEnvironment, pipelineFailed, ruleLoadOptions } from '../../config/environment.js';
import type { Io } from '../io.js';
import { collectRuleSet } from '../../correlation/rule-set.js';
import { readEvents } from '../../event-files/read-events.js';
import type { Event } from '../../evaluate/evaluate.js';
import { RuleIndex } from '../../compile/rule-index.js';
import { compilePlan, describeCompiled } from '../../compile/compile-plan.js';
import { jsonTerminalSafe, terminalLine, terminalSafe } from '../../report/escape.js';
import { diagnostic } from '../../diagnostics/diagnostics.js';

export const evalSpec: CommandSpec = {
  name: 'eval',
  summary: 'Evaluate rules against events and print one JSON line per match.',
  usage: 'eval <rule files or folders...> --events <files...> [--logsource ignore|map] [--verbose] | eval <rules...> --dump-js',
  description:
    'Each match prints {"rule": <id>, "path": <rule file>, "event": N}, N counting events from 0 across all\n' +
    'event files in the order given. A rule that cannot be loaded prints {"path", "error": {code, message,\n' +
    'line, column}}. Event files may be JSONL, JSON arrays, concatenated JSON objects or EVTX-JSON.\n' +
    'Exit 0 when every rule and event file loaded, 2 otherwise (the others are still evaluated).\n' +
    'Sigma filters among the rules are composed into the rules they name; correlations are left to scan and run.\n' +
    'Rules run as compiled matchers behind a rule index; --dump-js prints the generated JavaScript of each\n' +
    'rule instead of evaluating, and --verbose names rules the compiler declined (they run on the evaluator).',
  options: {
    events: { type: 'string', multiple: true, arg: '<files...>', help: 'event files to evaluate' },
    logsource: { type: 'string', choices: ['ignore', 'map'], default: 'ignore', help: 'apply the logsource mapping to pick the events a rule sees' },
    config: { type: 'string', arg: '<file>', help: 'sigmatest config file (placeholders, logsource mapping)' },
    pipeline: pipelineOption,
    'no-cache': noCacheOption,
    'dump-js': { type: 'boolean', help: 'print the compiled JavaScript of each rule and exit' },
    verbose: { type: 'boolean', help: 'report how rules were compiled and indexed' },
  },
};

export async function evalCommand(args: Parsed, io: Io): Promise<number> {
  const rulePaths = args.positionals;
  const eventFiles = list(args.values.events);
  const dumpJs = args.values['dump-js'] === true;
  if (rulePaths.length === 0 || (eventFiles.length === 0 && !dumpJs)) {
    io.err(`sigmatest eval needs rule paths and --events files. See 'sigmatest eval --help'.\n`);
    return EXIT.usage;
  }
  const env = loadEnvironment(str(args.values.config), io.cwd, { pipelines: list(args.values.pipeline) });
  printDiagnostics(io, env.diagnostics);
  if (pipelineFailed(env)) {
    io.err('sigmatest eval: the processing pipeline cannot be used\n');
    return EXIT.usage;
  }
  // Filters among the rules are composed into the rules they name.
  const set = collectRuleSet(rulePaths.map((p) => inCwd(io, p)), ruleLoadOptions(env, ruleCache(args, io)));
  let invalid = false;
  for (const f of set.files) {
    for (const bad of f.invalid) {
      const d = bad.diagnostics.find((x) => x.severity === 'error');
      if (d === undefined) continue;
      invalid = true;
      const error: Record<string, unknown> = { code: d.code, message: d.message };
      if (d.pos) {
        error.line = d.pos.line;
        error.column = d.pos.column;
      }
      if (d.path) error.at = d.path;
      io.out(`${jsonTerminalSafe(JSON.stringify({ path: shownPath(io, f.file), error }))}\n`);
    }
  }
  for (const d of set.diagnostics) if (d.severity === 'error') invalid = true;
  printDiagnostics(io, set.diagnostics);

  for (const c of set.correlationDocs) {
    io.err(`${terminalLine(`${shownPath(io, c.file)}: correlation '${c.title}' is not evaluated by eval, which matches single events: use sigmatest scan or run`)}\n`);
  }
  if (dumpJs) {
    for (const r of set.rules) {
      const c = compilePlan(r.plan);
      io.out(terminalSafe(`// ${terminalLine(shownPath(io, r.file))}${r.id ? ` (${terminalLine(r.id)})` : ''}\n${c.ok ? describeCompiled(c.compiled) : `// not compiled: ${terminalLine(c.reason)}\n`}\n`));
    }
    return invalid ? EXIT.usage : EXIT.ok;
  }
  const index = new RuleIndex(set.rules, { mapping: args.values.logsource === 'map' ? env.mapping : null, views: env.mapping });
  if (args.values.verbose === true) {
    const s = index.stats();
    io.err(`eval: ${s.compiled} of ${s.rules} rules compiled, ${s.indexed} indexed by needles\n`);
    for (const d of s.declined) io.err(`${terminalLine(`eval: ${shownPath(io, d.rule.file)}: not compiled (${d.reason}); the reference evaluator runs it`)}\n`);
  }
  const shownFiles = new Map<string, string>();
  const shown = (file: string): string => {
    let s = shownFiles.get(file);
    if (s === undefined) shownFiles.set(file, (s = shownPath(io, file)));
    return s;
  };
  const started = process.hrtime.bigint();
  let n = 0;
  let matches = 0;
  for (const file of eventFiles) {
    for await (const rec of readEvents(inCwd(io, file), { limits: env.config.limits })) {
      if (rec.kind === 'error') {
        invalid = true;
        printDiagnostics(io, [rec.diagnostic]);
        continue;
      }
      for (const rule of index.matches(rec.event as Event)) {
        matches++;
        // `index` is the event's position in its file (`line` its line, 0 in .evtx); `n` the position across all files.
        io.out(`${jsonTerminalSafe(JSON.stringify({ rule: rule.id ?? null, path: shown(rule.file), file: shown(rec.file), index: rec.index, line: rec.line, eventNumber: n }))}\n`);
      }
      // A rule that threw on this event did not match it; it is said once, the others go on.
      for (const f of index.takeFailures()) {
        invalid = true;
        printDiagnostics(io, [diagnostic('RULE_MATCH_FAILED', `the rule failed while matching event ${n} of ${shown(file)}: ${f.message}; it is taken as not matching the events it fails on`, { file: f.rule.file, pos: f.rule.pos })]);
      }
      n++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const failed = set.files.reduce((k, f) => k + f.invalid.length, 0);
  io.err(
    `eval: ${set.rules.length} rules loaded${failed ? `, ${failed} failed to load` : ''}, ${n} events, ${matches} matches in ${seconds.toFixed(2)} s\n`,
  );
  return invalid ? EXIT.usage : EXIT.ok;
}

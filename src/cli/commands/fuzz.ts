/**
 * `sigmatest fuzz`: property runs and rule analyses for every rule (see src/fuzz/fuzz-rule.ts),
 * a report (text or JSON), witnesses as JSON lines for other engines, counterexamples saved as
 * cases. Exit 0 when no rule fails (errors; warnings too with --strict), 1 otherwise, 2 on
 * usage errors or unreadable rules.
 */
import { existsSync } from 'node:fs';
import { flatEventKey } from '../../events/event-key.js';
import { inShard } from '../../rules/shard.js';
import { fingerprint, gitHead } from '../../util/provenance.js';
import { EXIT, list, pipelineOption, shardArg, shardOption, str } from '../args.js';
import { noCacheOption, ruleCache } from '../rule-cache.js';
import type { CommandSpec, Parsed } from '../args.js';
import { inCwd, printDiagnostics, shownPath } from '../io.js';
import { loadEnvironment, pipelineFailed, ruleLoadOptions } from '../../config/environment.js';
import type { Io } from '../io.js';
import { listYamlFiles } from '../../rules/collect-rules.js';
import { collectRuleSet } from '../../correlation/rule-set.js';
import { loadCaseFile } from '../../cases/load-cases.js';
import { resolveCaseRule } from '../../cases/run-cases.js';
import { fuzzRule } from '../../fuzz/fuzz-rule.js';
import type { RuleFuzzResult } from '../../fuzz/fuzz-rule.js';
import { buildFuzzReport } from '../../fuzz/fuzz-report.js';
import { FUZZ_REPORTERS } from '../../report/fuzz/registry.js';
import { ProgressLine, fuzzProgressText } from '../../report/progress-line.js';
import { casePipelineRefs, caseFileFor, pipelinesNotNamed, saveCases } from '../../fuzz/case-writer.js';
import type { NewCase } from '../../fuzz/case-writer.js';
import { writeFileAtomic } from '../../util/write-file-atomic.js';
import { OutputFile } from '../../util/output-file.js';
import { terminalLine } from '../../report/escape.js';
import { fileInputs, outputProblem, yamlInputs } from '../outputs.js';
import type { SigmaRule } from '../../rules/load-rule.js';
import { diagnostic } from '../../diagnostics/diagnostics.js';
import { basename } from 'node:path';
import { CODES, codesOf, isDiagnosticCode } from '../../diagnostics/codes.js';
import type { FindingCode } from '../../diagnostics/codes.js';

/** The seed of a run without --seed: fixed, so that findings and `--save` are reproducible. */
export const DEFAULT_FUZZ_SEED = 1;

export const fuzzSpec: CommandSpec = {
  name: 'fuzz',
  summary: 'Generate events from each rule and check its semantics and exclusions (property-based).',
  usage: `fuzz [rule files or folders...] [--runs N] [--seed S] [--reporter ${FUZZ_REPORTERS.usage()}] [--save] [--emit-witnesses <file.jsonl>] [--strict] [--shard i/n]`,
  description:
    'For each rule: synthesises matching events (witnesses), holds the engine to an independent pattern oracle\n' +
    '(case changes, needles in realistic values, windash variants, broken needles), and reports rule defects:\n' +
    'RULE_UNSATISFIABLE, PROPERTY_FAILED (errors); EXCLUSION_DEAD, EXCLUSION_EVADABLE, STAGE_UNREACHABLE,\n' +
    'VALUE_SHADOWED (warnings; --strict makes them fail); CLAIM_UNDECIDED (info: neither an event nor a proof).\n' +
    'Claims of impossibility rest on a proof of the constraint solver. Every finding prints the seed that replays it.\n\n' +
    FUZZ_REPORTERS.helpText(),
  options: {
    runs: { type: 'string', default: '100', arg: '<N>', help: 'property runs per rule' },
    seed: { type: 'string', arg: '<S>', help: `seed (default ${DEFAULT_FUZZ_SEED}: two runs give the same findings)` },
    reporter: { type: 'string', choices: FUZZ_REPORTERS.names, default: FUZZ_REPORTERS.defaultName, help: 'output format (see Reporters above)' },
    save: { type: 'boolean', help: "append each counterexample with a known verdict to the rule's case file" },
    cases: { type: 'string', multiple: true, default: 'cases', arg: '<dirs...>', help: 'case files or folders (for --save)' },
    'emit-witnesses': { type: 'string', arg: '<file.jsonl>', help: 'write every witness as {"rule", "event"} lines' },
    strict: { type: 'boolean', help: 'warnings fail the rule too' },
    ignore: { type: 'string', multiple: true, arg: '<CODE>', help: 'mute a finding code (reported as suppressed); also the config\'s gate.severities and a case file\'s fuzz: ignore:' },
    shard: shardOption('fuzz shard i of n of the rules'),
    out: { type: 'string', arg: '<file>', help: 'write the report to a file (atomically) instead of stdout' },
    config: { type: 'string', arg: '<file>', help: 'sigmatest config file (placeholders, logsource mapping)' },
    pipeline: pipelineOption,
    'no-cache': noCacheOption,
  },
};

function positiveInt(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  return /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
}

export function fuzzCommand(args: Parsed, io: Io): number {
  const runs = positiveInt(str(args.values.runs), 100);
  const seedText = str(args.values.seed);
  const seed = seedText === undefined ? DEFAULT_FUZZ_SEED : /^\d+$/.test(seedText) ? Number(seedText) % 0x80000000 : undefined;
  if (runs === undefined || seed === undefined) {
    io.err(`sigmatest fuzz: --runs and --seed take non-negative integers\n`);
    return EXIT.usage;
  }
  const shard = shardArg(args);
  const paths = args.positionals.length > 0 ? args.positionals : ['rules'];
  const out = str(args.values.out);
  const witnessFile = str(args.values['emit-witnesses']);
  // Before the work: outputs over no rule, case file or config (nor each other), and writable.
  const inputs = [yamlInputs(io, paths), yamlInputs(io, list(args.values.cases)), fileInputs(io, [], { config: str(args.values.config) })];
  for (const [flag, target, others] of [
    ['--out', out, [witnessFile]],
    ['--emit-witnesses', witnessFile, []],
  ] as const) {
    if (target === undefined) continue;
    const problem = outputProblem(io, target, [...inputs, fileInputs(io, others)]);
    if (problem !== undefined) {
      io.err(`sigmatest fuzz: ${flag} ${target}: ${problem}\n`);
      return EXIT.usage;
    }
  }
  const env = loadEnvironment(str(args.values.config), io.cwd, { pipelines: list(args.values.pipeline) });
  printDiagnostics(io, env.diagnostics);
  if (pipelineFailed(env)) {
    io.err('sigmatest fuzz: the processing pipeline cannot be used\n');
    return EXIT.usage;
  }
  const ignoreCodes = list(args.values.ignore);
  for (const c of ignoreCodes) {
    if (!isDiagnosticCode(c) || CODES[c].group !== 'fuzz') {
      io.err(`sigmatest fuzz: --ignore ${c}: not a fuzz finding code (${codesOf('fuzz').join(', ')})\n`);
      return EXIT.usage;
    }
  }
  // Filters among the rules are composed into the rules they name: the fuzzer checks them too.
  const loaded = collectRuleSet(paths.map((p) => inCwd(io, p)), ruleLoadOptions(env, ruleCache(args, io)));
  const set = { ...loaded, rules: inShard(loaded.rules, shard) };
  printDiagnostics(io, set.diagnostics);
  const loadFailed = set.files.some((f) => f.invalid.length > 0) || set.diagnostics.some((d) => d.severity === 'error');
  if (set.rules.length === 0) {
    io.err('sigmatest fuzz: no rules to fuzz\n');
    return loadFailed ? EXIT.usage : EXIT.failed;
  }
  io.err(`fuzz: ${set.rules.length} rules, ${runs} runs each, seed ${seed}\n`);
  const started = process.hrtime.bigint();
  const results: RuleFuzzResult[] = [];
  const progress = new ProgressLine(io.err, io.isTty, fuzzProgressText, process.stderr.columns || 100);
  let ruleFailed = false;
  const caseIgnores = caseFileIgnores(set.rules, list(args.values.cases).map((d) => inCwd(io, d)));
  set.rules.forEach((rule, i) => {
    const ignore: Partial<Record<FindingCode, string>> = { ...caseIgnores.get(rule) };
    for (const c of ignoreCodes) ignore[c as FindingCode] = `--ignore ${c}`;
    const mute = { ignore, severities: env.config.gate.fuzzSeverities ?? {} };
    try {
      results.push(fuzzRule(rule, { runs, seed, mapping: env.mapping, strict: args.values.strict === true, mute }));
    } catch (e) {
      // One rule failing (an engine bug, a resource exhausted) is said; the others are fuzzed.
      ruleFailed = true;
      const why = (e instanceof Error ? e.message : String(e)).split('\n')[0]?.slice(0, 300) ?? '';
      printDiagnostics(io, [diagnostic('RULE_MATCH_FAILED', `fuzzing the rule failed: ${why}; it is left out of the report`, { file: rule.file, pos: rule.pos })]);
    }
    progress.update({ done: i + 1, total: set.rules.length });
  });
  progress.done();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const report = buildFuzzReport(results, { seed, runs, seconds, cwd: io.cwd });
  if (str(args.values.reporter) === 'json') {
    report.shard = shard ?? null;
    report.head = gitHead(io.cwd);
    // The seed is left out: shards fuzzed with different seeds merge with a warning.
    report.fingerprint = fingerprint({ command: 'fuzz', paths, runs, strict: args.values.strict === true, config: str(args.values.config) ?? null, pipelines: list(args.values.pipeline) }, loaded.files.map((f) => f.file));
  }

  try {
    if (witnessFile !== undefined) {
      // Streamed to a temporary file renamed into place: never half a file.
      const file = new OutputFile(inCwd(io, witnessFile));
      try {
        for (const r of results) {
          for (const event of r.witnesses) file.write(`${JSON.stringify({ rule: r.rule.id ?? shownPath(io, r.rule.file), event })}\n`);
        }
        file.commit();
      } catch (e) {
        file.abort();
        throw e;
      }
      io.err(`fuzz: ${report.summary.witnesses} witnesses written to ${witnessFile}\n`);
    }
  } catch (e) {
    io.err(`sigmatest fuzz: cannot write ${witnessFile ?? ''}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  if (args.values.save === true) {
    const saved = saveCounterexamples(results, list(args.values.cases).map((d) => inCwd(io, d)), env.pipelineArgs, io);
    if (saved < 0) return EXIT.usage;
  }
  const text = FUZZ_REPORTERS.pick(str(args.values.reporter)).render(report);
  if (out !== undefined) {
    try {
      writeFileAtomic(inCwd(io, out), text);
    } catch (e) {
      io.err(`sigmatest fuzz: cannot write ${out}: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
    io.err(`report written to ${out}\n`);
  } else io.out(text);
  if (loadFailed) return EXIT.usage;
  return report.summary.failed > 0 || ruleFailed ? EXIT.failed : EXIT.ok;
}

/**
 * Counterexamples with a verdict the rule should give, as cases. An evadable exclusion's event
 * should match but does not while the exclusion stays as it is: saved as a known gap, so the
 * suite stays green and reports it (and says when a narrowed exclusion closes it).
 */
export function counterexampleCases(r: RuleFuzzResult): NewCase[] {
  const out: NewCase[] = [];
  for (const f of r.findings) {
    if (f.event === undefined || f.suppressed !== undefined) continue;
    if (f.code === 'EXCLUSION_EVADABLE') {
      out.push({
        name: `fuzz: ${f.stage ?? 'exclusion'} must not hide ${f.variant ?? 'this variant'}`,
        expect: 'match',
        knownGap: `${f.code}: exclusion '${f.stage ?? ''}' also hides this event (${f.variantReason ?? 'a variant'})`,
        event: f.event,
        comment: `${f.code} found by sigmatest fuzz --seed ${f.seed}`,
      });
    }
  }
  return out;
}

/** The `fuzz: ignore:` of each rule's case file (case files that do not load are skipped here: `run` reports them). */
function caseFileIgnores(rules: readonly SigmaRule[], caseDirs: string[]): Map<SigmaRule, Partial<Record<FindingCode, string>>> {
  const out = new Map<SigmaRule, Partial<Record<FindingCode, string>>>();
  const dirs = caseDirs.filter((d) => existsSync(d));
  if (dirs.length === 0) return out;
  for (const f of listYamlFiles(dirs).files) {
    const cf = loadCaseFile(f).caseFile;
    if (cf?.fuzzIgnore === undefined) continue;
    const rule = resolveCaseRule(cf, rules).rule;
    if (rule === undefined) continue;
    const why = Object.fromEntries(Object.entries(cf.fuzzIgnore).map(([c, r]) => [c, `${r} (${basename(cf.file)})`]));
    out.set(rule, { ...out.get(rule), ...why });
  }
  return out;
}

/** Appends counterexamples to each rule's case file (or creates one); the number saved, -1 on a write problem. */
function saveCounterexamples(results: readonly RuleFuzzResult[], caseDirs: string[], pipelines: readonly string[], io: Io): number {
  const listed = listYamlFiles(caseDirs.filter((d) => existsSync(d)));
  const files = listed.files.map((f) => loadCaseFile(f)).flatMap((l) => (l.caseFile ? [l.caseFile] : []));
  const rules: SigmaRule[] = results.map((r) => r.rule);
  let saved = 0;
  for (const r of results) {
    const cf = files.find((f) => resolveCaseRule(f, rules).rule === r.rule);
    const cases = counterexampleCases(r);
    if (cases.length === 0) continue;
    const target = cf?.file ?? caseFileFor(r.rule.file, caseDirs[0] ?? inCwd(io, 'cases'));
    // The events are shaped for the --pipeline pipelines: a case file that does not name them would run them unmapped.
    const notNamed = cf === undefined ? [] : pipelinesNotNamed(cf, pipelines, io.cwd);
    if (notNamed.length > 0) {
      io.err(`${terminalLine(`fuzz: --save: not saved to ${shownPath(io, target)}: its events would be shaped for pipeline ${notNamed.join(', ')}, which the case file does not name (add it to its pipeline:)`)}\n`);
      continue;
    }
    try {
      // Under the case file's lock, against the file as it is then (another run may have saved meanwhile):
      // never the same event twice, never a name the file already has (run rejects duplicates).
      const written = saveCases(target, r.rule, cases, { pipelines: casePipelineRefs(pipelines, io.cwd, target), eventKey: flatEventKey });
      if (written.length === 0) continue;
      saved += written.length;
      io.err(`${terminalLine(`fuzz: saved ${written.length} case(s) for ${shownPath(io, r.rule.file)} to ${shownPath(io, target)}`)}\n`);
    } catch (e) {
      io.err(`sigmatest fuzz: --save: ${(e as Error).message}\n`);
      return -1;
    }
  }
  if (saved === 0) io.err('fuzz: no counterexample to save\n');
  return saved;
}

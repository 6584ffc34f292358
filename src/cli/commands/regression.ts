/**
 * `sigmatest regression <root>`: SigmaHQ regression tests of every rule under the root's
 * `rules*` folders (or the folders given), evaluated natively.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, list, str } from '../args.js';
import { noCacheOption, ruleCache } from '../rule-cache.js';
import type { CommandSpec, Parsed } from '../args.js';
import { inCwd, printDiagnostics } from '../io.js';
import { loadEnvironment, ruleLoadOptions } from '../../config/environment.js';
import type { Io } from '../io.js';
import { collectRules } from '../../rules/collect-rules.js';
import { runRegression, summarise } from '../../regression/regression.js';
import type { Prefer } from '../../regression/regression.js';
import { REGRESSION_REPORTERS } from '../../report/regression/registry.js';

export const regressionSpec: CommandSpec = {
  name: 'regression',
  summary: "Run SigmaHQ-style regression tests (regression_tests_path → info.yml → recorded events).",
  usage: 'regression <sigma repository root> [--rules <folders...>] [--reporter text|json] [--require-data] [--prefer json|evtx]',
  description:
    'A test passes when its rule matches at least match_count (default 1) of the recorded events.\n' +
    'Tests whose data is absent are reported as missing-data and fail the run only with --require-data.\n' +
    'Exit 1 when a test fails or errors, 2 on usage errors.',
  options: {
    rules: { type: 'string', multiple: true, arg: '<folders...>', help: "rule folders (default: every rules* folder of the root)" },
    reporter: { type: 'string', choices: REGRESSION_REPORTERS.names, default: REGRESSION_REPORTERS.defaultName, help: 'output format' },
    'require-data': { type: 'boolean', help: 'count missing-data as a failure' },
    prefer: { type: 'string', choices: ['json', 'evtx'], default: 'json', help: 'which rendering of a recorded test to read' },
    config: { type: 'string', arg: '<file>', help: 'sigmatest config file (placeholders)' },
    'no-cache': noCacheOption,
  },
};

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function regressionCommand(args: Parsed, io: Io): number {
  const rootArg = args.positionals[0];
  if (rootArg === undefined || args.positionals.length > 1) {
    io.err(`sigmatest regression needs exactly one repository root. See 'sigmatest regression --help'.\n`);
    return EXIT.usage;
  }
  const root = inCwd(io, rootArg);
  if (!existsSync(root)) {
    io.err(`sigmatest regression: no such folder: ${rootArg}\n`);
    return EXIT.usage;
  }
  const env = loadEnvironment(str(args.values.config), io.cwd);
  printDiagnostics(io, env.diagnostics);
  let folders = list(args.values.rules).map((f) => (existsSync(inCwd(io, f)) ? inCwd(io, f) : join(root, f)));
  if (folders.length === 0) {
    folders = readdirSync(root, { withFileTypes: true })
      // A symbolic link to a rules folder counts too.
      .filter((e) => e.name.startsWith('rules') && (e.isDirectory() || (e.isSymbolicLink() && isFolder(join(root, e.name)))))
      .map((e) => join(root, e.name))
      .sort();
  }
  const set = collectRules(folders, ruleLoadOptions(env, ruleCache(args, io)));
  // Folders and files that could not be walked are said (rules that fail to load show as errors of their tests).
  printDiagnostics(io, set.diagnostics.filter((d) => d.code.startsWith('PATH_')));
  const results = runRegression(root, set.rules, str(args.values.prefer) as Prefer, env.config.limits);
  const summary = summarise(results);
  io.out(REGRESSION_REPORTERS.pick(str(args.values.reporter)).render({ results, summary }));
  const requireData = args.values['require-data'] === true;
  if (summary.pass + summary.fail + summary.error === 0) {
    // Nothing was checked (no rules, no regression_tests_path, or no data): not a pass.
    io.err(`sigmatest regression: no regression test ran (${set.rules.length} rules loaded, ${summary.missingData} without data)\n`);
    return EXIT.failed;
  }
  return summary.fail > 0 || summary.error > 0 || (requireData && summary.missingData > 0) ? EXIT.failed : EXIT.ok;
}

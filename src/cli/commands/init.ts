/**
 * `sigmatest init`: makes an existing rules repository a sigmatest one (src/app/init-repo.ts
 * says what the files hold). Writes only files that do not exist; an existing one is kept and
 * named. With `--scaffold`, every rule without a case file gets a starter one.
 */
import { existsSync, lstatSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { EXIT, str } from '../args.js';
import type { CommandSpec, Parsed } from '../args.js';
import { inCwd, printDiagnostics, shownPath } from '../io.js';
import type { Io } from '../io.js';
import { initFiles } from '../../app/init-repo.js';
import { writeFileAtomic } from '../../util/write-file-atomic.js';

export const initSpec: CommandSpec = {
  name: 'init',
  summary: 'Set up sigmatest in a rules repository: config, cases folder, vitest file, GitHub workflow.',
  usage: 'init [--rules <dir>] [--cases <dir>] [--scaffold]',
  description:
    'Writes sigmatest.config.yml, <cases>/README.md, tests/sigma-cases.test.mjs and .github/workflows/sigmatest.yml\n' +
    'in the working folder. A file that exists is never overwritten (it is kept and named). Exit 2 when the rules\n' +
    'folder does not exist or a file cannot be written.',
  options: {
    rules: { type: 'string', default: 'rules', arg: '<dir>', help: 'the folder holding the rules' },
    cases: { type: 'string', default: 'cases', arg: '<dir>', help: 'the folder for case files' },
    scaffold: { type: 'boolean', help: 'also write a starter case file for every rule that has none (as sigmatest scaffold)' },
  },
};

const posix = (p: string): string => p.split(sep).join('/');

/** Exists as anything, a broken link included. */
function present(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export async function initCommand(args: Parsed, io: Io): Promise<number> {
  if (args.positionals.length > 0) {
    io.err("sigmatest init takes no file arguments (it sets up the working folder). See 'sigmatest init --help'.\n");
    return EXIT.usage;
  }
  const rulesArg = str(args.values.rules) ?? 'rules';
  const casesArg = str(args.values.cases) ?? 'cases';
  const rulesDir = inCwd(io, rulesArg);
  if (!existsSync(rulesDir)) {
    io.err(`sigmatest init: the rules folder ${rulesArg} does not exist; name it with --rules\n`);
    return EXIT.usage;
  }
  const layout = { rules: posix(relative(io.cwd, rulesDir)) || '.', cases: posix(relative(io.cwd, inCwd(io, casesArg))) || '.' };
  let failed = false;
  for (const f of initFiles(layout)) {
    const target = inCwd(io, f.path);
    if (present(target)) {
      io.err(`init: kept ${f.path} (${f.what}): it exists\n`);
      continue;
    }
    try {
      writeFileAtomic(target, f.content);
      io.err(`init: wrote ${f.path} (${f.what})\n`);
    } catch (e) {
      io.err(`sigmatest init: cannot write ${f.path}: ${(e as Error).message}\n`);
      failed = true;
    }
  }
  if (args.values.scaffold === true) failed = (await scaffoldAll(io, rulesDir, inCwd(io, casesArg))) || failed;
  io.err(
    'init: next: `npm install --save-dev sigmatest vitest` (if not yet), `npx sigmatest scaffold <rule>` for rules without cases,\n' +
      '      `npx sigmatest run`, and commit the new files.\n',
  );
  return failed ? EXIT.usage : EXIT.ok;
}

/** Starter case files for the rules that have none; true when one could not be written. */
async function scaffoldAll(io: Io, rulesDir: string, casesDir: string): Promise<boolean> {
  const [{ loadEnvironment, ruleLoadOptions }, { collectRules }, { scaffoldCases }, { caseFileFor, writeNewCaseFile }, { loadAndRunSuite }] = await Promise.all([
    import('../../config/environment.js'),
    import('../../rules/collect-rules.js'),
    import('../../fuzz/scaffold.js'),
    import('../../fuzz/case-writer.js'),
    import('../../app/run-suite.js'),
  ]);
  const env = loadEnvironment(undefined, io.cwd);
  printDiagnostics(io, env.diagnostics);
  const tree = collectRules([rulesDir], ruleLoadOptions(env));
  // Rules some case file already names (by id or path) are left alone.
  const { report } = loadAndRunSuite([rulesDir], existsSync(casesDir) ? [casesDir] : [], { cwd: io.cwd });
  const tested = new Set(report.rules.filter((r) => r.status !== 'untested').map((r) => inCwd(io, r.path)));
  let failed = false;
  for (const rule of tree.rules) {
    if (tested.has(rule.file)) continue;
    const target = caseFileFor(rule.file, casesDir);
    if (present(target)) {
      io.err(`init: kept ${shownPath(io, target)}: it exists\n`);
      continue;
    }
    const { cases } = scaffoldCases(rule, env.mapping, 1);
    try {
      writeNewCaseFile(target, rule, cases);
      io.err(`init: wrote ${shownPath(io, target)} (${cases.length} generated case(s) for ${shownPath(io, rule.file)}: replace them with real events)\n`);
    } catch (e) {
      io.err(`sigmatest init: cannot write ${shownPath(io, target)}: ${(e as Error).message}\n`);
      failed = true;
    }
  }
  return failed;
}

/**
 * The `sigmatest` command: dispatch to subcommands, `--help` everywhere, stable exit codes
 * (0 ok, 1 failed, 2 usage or unreadable input). No logic lives here.
 */
import { commandHelp, EXIT, parseCommandArgs, UsageError } from './args.js';
import type { CommandSpec, Parsed } from './args.js';
import { processIo } from './io.js';
import type { Io } from './io.js';
import { enableRegexBacktrackingGuard } from '../sigma/regex.js';
import { evalCommand, evalSpec } from './commands/eval.js';
import { regressionCommand, regressionSpec } from './commands/regression.js';
import { explainCommand, explainSpec } from './commands/explain.js';
import { runCommand, runSpec } from './commands/run.js';
import { eventsCommand, eventsSpec } from './commands/events.js';
import { scanCommand, scanSpec } from './commands/scan.js';
import { fuzzCommand, fuzzSpec } from './commands/fuzz.js';
import { scaffoldCommand, scaffoldSpec } from './commands/scaffold.js';
import { gateCommand, gateSpec } from './commands/gate.js';
import { mergeReportsCommand, mergeReportsSpec } from './commands/merge-reports.js';

interface Command {
  spec: CommandSpec;
  run: (args: Parsed, io: Io) => number | Promise<number>;
}

const COMMANDS: Command[] = [
  { spec: runSpec, run: runCommand },
  { spec: evalSpec, run: evalCommand },
  { spec: regressionSpec, run: regressionCommand },
  { spec: eventsSpec, run: eventsCommand },
  { spec: scanSpec, run: scanCommand },
  { spec: fuzzSpec, run: fuzzCommand },
  { spec: scaffoldSpec, run: scaffoldCommand },
  { spec: explainSpec, run: explainCommand },
  { spec: gateSpec, run: gateCommand },
  { spec: mergeReportsSpec, run: mergeReportsCommand },
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length)) + 2;
  return [
    'Usage: sigmatest <command> [options]',
    '',
    'Test harness and regression framework for Sigma detection rules.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`),
    '',
    "Run 'sigmatest <command> --help' for a command's options.",
    '',
  ].join('\n');
}

/** Runs the CLI with the given arguments; resolves to the exit code. */
export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  enableRegexBacktrackingGuard();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const cmd = COMMANDS.find((c) => c.spec.name === name);
  if (cmd === undefined) {
    io.err(`sigmatest: unknown command '${name}'\n\n${mainHelp()}`);
    return EXIT.usage;
  }
  try {
    const args = parseCommandArgs(cmd.spec, rest);
    if (args.help) {
      io.out(commandHelp(cmd.spec));
      return EXIT.ok;
    }
    return await cmd.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`sigmatest ${name}: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}

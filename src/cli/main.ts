/**
 * The `sigmatest` command: dispatch to subcommands, `--help` everywhere, stable exit codes
 * (0 ok, 1 failed, 2 usage or unreadable input). No logic lives here.
 */
import { commandHelp, EXIT, parseCommandArgs, UsageError } from './args.js';
import type { CommandSpec, Parsed } from './args.js';
import { processIo } from './io.js';
import type { Io } from './io.js';
import { tuneV8ForScanning } from './v8-tuning.js';

interface Command {
  spec: CommandSpec;
  run: (args: Parsed, io: Io) => number | Promise<number>;
}

/**
 * The commands, each loaded only when it runs: a scan does not load the fuzzer's generators
 * (faker alone takes about 0.2 s to import). `name` must be the spec's name (cli.test.ts checks).
 */
export const COMMANDS: ReadonlyArray<{ name: string; load: () => Promise<Command> }> = [
  { name: 'run', load: async () => ((m) => ({ spec: m.runSpec, run: m.runCommand }))(await import('./commands/run.js')) },
  { name: 'eval', load: async () => ((m) => ({ spec: m.evalSpec, run: m.evalCommand }))(await import('./commands/eval.js')) },
  { name: 'regression', load: async () => ((m) => ({ spec: m.regressionSpec, run: m.regressionCommand }))(await import('./commands/regression.js')) },
  { name: 'events', load: async () => ((m) => ({ spec: m.eventsSpec, run: m.eventsCommand }))(await import('./commands/events.js')) },
  { name: 'scan', load: async () => ((m) => ({ spec: m.scanSpec, run: m.scanCommand }))(await import('./commands/scan.js')) },
  { name: 'fuzz', load: async () => ((m) => ({ spec: m.fuzzSpec, run: m.fuzzCommand }))(await import('./commands/fuzz.js')) },
  { name: 'scaffold', load: async () => ((m) => ({ spec: m.scaffoldSpec, run: m.scaffoldCommand }))(await import('./commands/scaffold.js')) },
  { name: 'explain', load: async () => ((m) => ({ spec: m.explainSpec, run: m.explainCommand }))(await import('./commands/explain.js')) },
  { name: 'gate', load: async () => ((m) => ({ spec: m.gateSpec, run: m.gateCommand }))(await import('./commands/gate.js')) },
  { name: 'init', load: async () => ((m) => ({ spec: m.initSpec, run: m.initCommand }))(await import('./commands/init.js')) },
  { name: 'merge-reports', load: async () => ((m) => ({ spec: m.mergeReportsSpec, run: m.mergeReportsCommand }))(await import('./commands/merge-reports.js')) },
];

async function mainHelp(): Promise<string> {
  const specs = await Promise.all(COMMANDS.map(async (c) => (await c.load()).spec));
  const width = Math.max(...specs.map((s) => s.name.length)) + 2;
  return [
    'Usage: sigmatest <command> [options]',
    '',
    'Test harness and regression framework for Sigma detection rules.',
    '',
    'Commands:',
    ...specs.map((s) => `  ${s.name.padEnd(width)}${s.summary}`),
    '',
    "Run 'sigmatest <command> --help' for a command's options.",
    '',
  ].join('\n');
}

/** Runs the CLI with the given arguments; resolves to the exit code. */
export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  tuneV8ForScanning();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(await mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    io.err(`sigmatest: unknown command '${name}'\n\n${await mainHelp()}`);
    return EXIT.usage;
  }
  const cmd = await entry.load();
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

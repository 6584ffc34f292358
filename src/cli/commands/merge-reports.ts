/**
 * `sigmatest merge-reports`: combines the JSON reports of shards into one report
 * (src/report/merge.ts), rendered by a reporter of that kind (run, fuzz or gate; the kind is told
 * from the reports). Exit 0 when the merged result passes, 1 when it fails, 2 on usage errors and
 * unreadable reports.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, str } from '../args.js';
import type { CommandSpec, Parsed } from '../args.js';
import type { Io } from '../io.js';
import { MergeError, mergeReports } from '../../report/merge.js';
import type { MergedReport } from '../../report/merge.js';
import { RUN_REPORTERS } from '../../report/run/registry.js';
import { FUZZ_REPORTERS } from '../../report/fuzz/registry.js';
import { GATE_REPORTERS } from '../../report/gate/registry.js';
import { emitGateReport } from './gate.js';
import { writeFileAtomic } from '../../util/write-file-atomic.js';
import { fileInputs, outputProblem } from '../outputs.js';

const REGISTRIES = { run: RUN_REPORTERS, fuzz: FUZZ_REPORTERS, gate: GATE_REPORTERS } as const;
const textNames = (kind: MergedReport['kind']): string[] => REGISTRIES[kind].textReporters().map((r) => r.name);
const CHOICES = [...new Set((['gate', 'run', 'fuzz'] as const).flatMap(textNames))];

export const mergeReportsSpec: CommandSpec = {
  name: 'merge-reports',
  summary: 'Merge the JSON reports of gate, fuzz or run shards into one report.',
  usage: `merge-reports <json reports...> [--reporter ${CHOICES.join('|')}] [--out <file>]`,
  description:
    'The reports must be of one kind, each written with --reporter json. Their rule rows are joined and the\n' +
    'summary is computed from the joined rows as for a single report: the merged report says what one run\n' +
    'over all the shards would have said. Reporters of each kind (see also the --help of gate, run and fuzz):\n' +
    (['gate', 'run', 'fuzz'] as const).map((kind) => `  ${kind.padEnd(6)}${textNames(kind).join(', ')}`).join('\n'),
  options: {
    reporter: { type: 'string', choices: CHOICES, default: 'text', help: 'output format, one of the kind of the reports' },
    out: { type: 'string', arg: '<file>', help: 'write the report to a file (atomically) instead of stdout' },
  },
};

/** The merged report rendered by the named reporter of its kind; undefined when that kind has no such reporter. */
function render(merged: MergedReport, name: string): string | undefined {
  switch (merged.kind) {
    case 'run':
      return RUN_REPORTERS.textReporter(name)?.render(merged.report);
    case 'fuzz':
      return FUZZ_REPORTERS.textReporter(name)?.render(merged.report);
    case 'gate':
      return GATE_REPORTERS.textReporter(name)?.render(merged.report);
  }
}

export function mergeReportsCommand(args: Parsed, io: Io): number {
  if (args.positionals.length === 0) {
    io.err("sigmatest merge-reports: needs at least one JSON report\nSee 'sigmatest merge-reports --help'.\n");
    return EXIT.usage;
  }
  const out = str(args.values.out);
  if (out !== undefined) {
    const problem = outputProblem(io, out, [fileInputs(io, args.positionals)]);
    if (problem !== undefined) {
      io.err(`sigmatest merge-reports: --out ${out}: ${problem}\n`);
      return EXIT.usage;
    }
  }
  const reports: unknown[] = [];
  for (const p of args.positionals) {
    try {
      reports.push(JSON.parse(readFileSync(resolve(io.cwd, p), 'utf8')));
    } catch (e) {
      io.err(`sigmatest merge-reports: cannot read ${p}: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
  }
  let merged: MergedReport;
  try {
    merged = mergeReports(reports, args.positionals);
  } catch (e) {
    if (!(e instanceof MergeError)) throw e;
    io.err(`sigmatest merge-reports: ${e.message}\n`);
    return EXIT.usage;
  }
  const name = str(args.values.reporter) ?? 'text';
  const text = render(merged, name);
  if (text === undefined) {
    io.err(`sigmatest merge-reports: these are ${merged.kind} reports, which --reporter ${name} does not render; use one of ${textNames(merged.kind).join(', ')}\n`);
    return EXIT.usage;
  }
  for (const w of merged.warnings) io.err(`sigmatest merge-reports: warning: ${w}\n`);
  try {
    if (merged.kind === 'gate') emitGateReport(merged.report, name, out, io);
    else if (out !== undefined) {
      writeFileAtomic(resolve(io.cwd, out), text);
      io.err(`report written to ${out}\n`);
    } else io.out(text);
  } catch (e) {
    io.err(`sigmatest merge-reports: cannot write ${out ?? 'the report'}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  return merged.ok ? EXIT.ok : EXIT.failed;
}

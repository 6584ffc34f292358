/**
 * `sigmatest merge-reports`: combines the JSON reports of gate shards (`gate --shard i/n
 * --reporter json`) into one report, rendered by any gate reporter. Exit 0 when the merged gate
 * passes, 1 when it fails, 2 on usage errors and unreadable reports.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, str } from '../args.js';
import type { CommandSpec, Parsed } from '../args.js';
import type { Io } from '../io.js';
import { GATE_REPORTERS, mergeGateReports } from '../../gate/gate-report.js';
import { emitGateReport } from './gate.js';

export const mergeReportsSpec: CommandSpec = {
  name: 'merge-reports',
  summary: 'Merge the JSON reports of gate shards into one report (any gate reporter).',
  usage: 'merge-reports <json reports...> [--reporter text|json|junit|sarif|github] [--out <file>]',
  options: {
    reporter: { type: 'string', choices: Object.keys(GATE_REPORTERS), default: 'text', help: 'output format' },
    out: { type: 'string', arg: '<file>', help: 'write the report to a file (atomically) instead of stdout' },
  },
};

export function mergeReportsCommand(args: Parsed, io: Io): number {
  if (args.positionals.length === 0) {
    io.err("sigmatest merge-reports: needs at least one gate JSON report\nSee 'sigmatest merge-reports --help'.\n");
    return EXIT.usage;
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
  let merged;
  try {
    merged = mergeGateReports(reports);
  } catch (e) {
    io.err(`sigmatest merge-reports: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  emitGateReport(merged, str(args.values.reporter) ?? 'text', str(args.values.out), io);
  return merged.summary.ok ? EXIT.ok : EXIT.failed;
}

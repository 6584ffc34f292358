/**
 * `sigmatest merge-reports`: combines the JSON reports of shards into one report. Gate reports
 * (`gate --shard i/n --reporter json`) are rendered by any gate reporter; fuzz reports (`fuzz
 * --reporter json`) as JSON or text; run reports (`run --reporter json`) as JSON. The kind is
 * told from the reports. Exit 0 when the merged result passes, 1 when it fails, 2 on usage
 * errors and unreadable reports.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, str } from '../args.js';
import type { CommandSpec, Parsed } from '../args.js';
import type { Io } from '../io.js';
import { mergeGateReports } from '../../gate/gate-result.js';
import { GATE_REPORTERS } from '../../report/gate/registry.js';
import { emitGateReport } from './gate.js';
import { formatFuzzJson } from '../../report/fuzz/json.js';
import { formatFuzzText } from '../../report/fuzz/text.js';
import type { FuzzReport } from '../../fuzz/fuzz-report.js';
import { writeFileAtomic } from '../../util/write-file-atomic.js';

export const mergeReportsSpec: CommandSpec = {
  name: 'merge-reports',
  summary: 'Merge the JSON reports of gate, fuzz or run shards into one report.',
  usage: 'merge-reports <json reports...> [--reporter text|json|junit|sarif|github] [--out <file>]',
  options: {
    reporter: { type: 'string', choices: GATE_REPORTERS.textReporters().map((r) => r.name), default: 'text', help: 'output format' },
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
  const kind = reportKind(reports);
  if (kind !== 'gate') return mergeOther(kind, reports, str(args.values.reporter) ?? 'text', str(args.values.out), io);
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

type Kind = 'gate' | 'fuzz' | 'run';

/** Fuzz reports count witnesses; run reports count cases; anything else is taken for a gate report. */
function reportKind(reports: unknown[]): Kind {
  const first = reports[0] as { summary?: Record<string, unknown> } | undefined;
  if (first?.summary !== undefined && 'synthesised' in first.summary) return 'fuzz';
  if (first?.summary !== undefined && 'cases' in first.summary && 'tested' in first.summary) return 'run';
  return 'gate';
}

type Row = Record<string, unknown>;

function mergeOther(kind: 'fuzz' | 'run', reports: unknown[], reporter: string, out: string | undefined, io: Io): number {
  const all = reports as Array<{ rules: Row[]; summary: Row; diagnostics?: unknown[] }>;
  if (all.some((r) => !Array.isArray(r.rules) || typeof r.summary !== 'object')) {
    io.err(`sigmatest merge-reports: the reports are not all ${kind} JSON reports\n`);
    return EXIT.usage;
  }
  const rules = all.flatMap((r) => r.rules).sort((a, b) => String(a['path']).localeCompare(String(b['path'])));
  const sum = (key: string): number => all.reduce((n, r) => n + Number(r.summary[key] ?? 0), 0);
  let text: string;
  let ok: boolean;
  if (kind === 'fuzz') {
    const results = rules as unknown as FuzzReport['rules'];
    const findings: Record<string, number> = {};
    let errors = 0;
    let warnings = 0;
    for (const r of results) {
      for (const f of r.findings) {
        findings[f.code] = (findings[f.code] ?? 0) + 1;
        if (f.severity === 'error') errors++;
        else warnings++;
      }
    }
    const first = all[0]?.summary ?? {};
    const report: FuzzReport = {
      rules: results,
      summary: {
        rules: results.length,
        passed: results.filter((r) => r.status === 'pass').length,
        failed: results.filter((r) => r.status === 'fail').length,
        unsupported: results.filter((r) => r.status === 'unsupported').length,
        synthesised: results.filter((r) => r.witnesses > 0).length,
        witnesses: results.reduce((n, r) => n + r.witnesses, 0),
        findings,
        errors,
        warnings,
        seed: Number(first['seed'] ?? 0),
        runs: Number(first['runs'] ?? 0),
        seconds: sum('seconds'),
      },
    };
    ok = report.summary.failed === 0;
    text = reporter === 'json' ? formatFuzzJson(report) : formatFuzzText(report);
  } else {
    const covered = all.reduce((n, r) => n + Number((r.summary['coverage'] as Row | undefined)?.['covered'] ?? 0), 0);
    const total = all.reduce((n, r) => n + Number((r.summary['coverage'] as Row | undefined)?.['total'] ?? 0), 0);
    const problems = all.flatMap((r) => (Array.isArray(r.summary['problems']) ? (r.summary['problems'] as unknown[]) : []));
    ok = all.every((r) => r.summary['ok'] === true);
    const summary = {
      rules: sum('rules'),
      tested: sum('tested'),
      untested: sum('untested'),
      cases: sum('cases'),
      passed: sum('passed'),
      failed: sum('failed'),
      errors: sum('errors'),
      coverage: { covered, total, percent: total === 0 ? 100 : Math.floor((1000 * covered) / total) / 10 },
      minCoverage: all[0]?.summary['minCoverage'] ?? null,
      problems,
      ok,
    };
    const merged = { rules, summary, diagnostics: all.flatMap((r) => r.diagnostics ?? []) };
    text =
      reporter === 'json'
        ? `${JSON.stringify(merged, null, 2)}\n`
        : `run (merged ${all.length} reports): ${summary.rules} rules, ${summary.cases} cases, ${summary.passed} passed, ${summary.failed} failed, ${summary.errors} errors; coverage ${summary.coverage.covered}/${summary.coverage.total} (${summary.coverage.percent}%)${ok ? '' : `\n${problems.join('\n')}`}\n`;
  }
  if (out !== undefined) {
    writeFileAtomic(resolve(io.cwd, out), text);
    io.err(`report written to ${out}\n`);
  } else io.out(text);
  return ok ? EXIT.ok : EXIT.failed;
}

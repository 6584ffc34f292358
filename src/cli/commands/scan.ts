/**
 * `sigmatest scan`: rules against event files and folders, in the main thread or worker
 * threads, with known false positives counted apart. The engine is src/scan/scan.ts; this file
 * only checks options, wires the reporter, the progress line and the exit code.
 */
import { EXIT, list, pipelineOption, placeholdersOption, shardArg, shardOption, str } from '../args.js';
import { noCacheOption, ruleCacheDir } from '../rule-cache.js';
import type { CommandSpec, Parsed } from '../args.js';
import { inCwd, printDiagnostics, shownPath } from '../io.js';
import type { Io } from '../io.js';
import { formatDiagnostic } from '../../diagnostics/diagnostics.js';
import { expiredDiagnostics, loadKnownFps } from '../../known-fps/known-fps.js';
import type { KnownFp } from '../../known-fps/known-fps.js';
import { scan } from '../../scan/scan.js';
import { loadEnvironment, pipelineFailed } from '../../config/environment.js';
import type { ScanMatch, ScanSummary } from '../../scan/scan.js';
import type { ScanRuleInfo } from '../../scan/scan-rules.js';
import { SCAN_REPORTERS } from '../../report/scan/registry.js';
import { formatScanSummary } from '../../report/scan/summary.js';
import { ProgressLine, scanProgressText } from '../../report/progress-line.js';
import { OutputFile } from '../../util/output-file.js';
import { terminalLine } from '../../report/escape.js';
import { eventInputs, fileInputs, outputProblem, yamlInputs } from '../outputs.js';
import { parseTimespan } from '../../correlation/timespan.js';
import type { CorrelationAlert } from '../../scan/scan.js';

const MAX_WORKERS = 256;

export const scanSpec: CommandSpec = {
  name: 'scan',
  summary: 'Scan event files and folders with rules and report every match.',
  usage:
    'scan --rules <files or folders...> --events <files or folders...> [--logsource map|ignore] [--workers N] [--thread-input <MiB>]\n' +
    `                      [--known-fps <file>] [--time-field <fields...>] [--time-tolerance <span>]\n` +
    `                      [--reporter ${SCAN_REPORTERS.usage()}] [--config <file>] [--out <file>]`,
  description:
    'Event folders are searched recursively for .json, .jsonl, .ndjson and .evtx files (JSONL, JSON arrays,\n' +
    'concatenated objects, EVTX-JSON and native EVTX alike); files are streamed, never loaded whole.\n' +
    'Each match is {"rule": <id>, "path": <rule file>, "title", "event": <event as read>, "file", "index"},\n' +
    'in file then event order whatever the number of workers. Matches covered by an unexpired entry of the\n' +
    '--known-fps file are counted per rule instead of reported; expired entries are warned about.\n' +
    'Correlation rules among the rules are evaluated as the events stream (state per group, dropped after the\n' +
    'timespan); each alert is {"rule": <id>, "correlation": <type>, "group", "start", "end", "value", "events":\n' +
    '[{"file", "index"}]}. Rules a correlation refers to without generate: true report no matches of their own.\n' +
    'Sigma filters among the rules are composed into the rules they name.\n' +
    'Exit 0 when the scan ran (with or without matches), 1 when it read zero events, loaded no rules, or met\n' +
    'errors in rules or event files (they are reported and the scan carries on), 2 on usage errors and an\n' +
    'unreadable or invalid known-FP file.\n\n' +
    SCAN_REPORTERS.helpText(),
  options: {
    rules: { type: 'string', multiple: true, arg: '<paths>', help: 'rule files or folders (searched for .yml/.yaml)' },
    events: { type: 'string', multiple: true, arg: '<paths>', help: 'event files or folders' },
    logsource: {
      type: 'string',
      choices: ['map', 'ignore'],
      default: 'map',
      help: "map: a rule sees only the events of its logsource (mapping: built-in + config); ignore: every event",
    },
    workers: { type: 'string', arg: '<N>', default: '1', help: 'threads matching events: the main thread and up to N-1 worker threads (1: the main thread only), one per --thread-input of events beyond the first; .evtx files are shared out by file and 16-chunk range, each read and matched by the thread that takes it' },
    'thread-input': { type: 'string', arg: '<MiB>', help: 'event input each thread beyond the first needs (JSON text, .evtx chunks in use; default 64): a thread loads the rules and warms up, which smaller inputs do not repay; 0: always --workers threads' },
    shard: shardOption('scan with shard i of n of the rules'),
    'known-fps': { type: 'string', arg: '<file>', help: 'known false positives (YAML) to count apart' },
    'time-field': { type: 'string', multiple: true, arg: '<fields>', help: 'fields the event time is read from, in order (default: TimeCreated_SystemTime @timestamp UtcTime timestamp)' },
    'time-tolerance': { type: 'string', arg: '<span>', help: 'how far events may come out of time order and still be correlated (e.g. 30s, 5m; default 5m)' },
    reporter: { type: 'string', choices: SCAN_REPORTERS.names, default: SCAN_REPORTERS.defaultName, help: 'output format (see Reporters above)' },
    config: { type: 'string', arg: '<file>', help: 'sigmatest config file (placeholders, logsource mapping)' },
    pipeline: pipelineOption,
    'no-cache': noCacheOption,
    placeholders: placeholdersOption,
    'min-level': { type: 'string', choices: ['informational', 'low', 'medium', 'high', 'critical'], help: 'scan with the rules of this level or higher only (rules without a level are left out); counted in the summary' },
    out: { type: 'string', arg: '<file>', help: 'write the report to a file (atomically) instead of stdout' },
  },
};

function usage(io: Io, message: string): number {
  io.err(`sigmatest scan: ${message}\nSee 'sigmatest scan --help'.\n`);
  return EXIT.usage;
}

export async function scanCommand(args: Parsed, io: Io): Promise<number> {
  if (args.positionals.length > 0) return usage(io, `unexpected argument '${args.positionals[0] ?? ''}' (rules go after --rules, events after --events)`);
  const rulePaths = list(args.values.rules);
  const eventPaths = list(args.values.events);
  if (rulePaths.length === 0) return usage(io, 'needs --rules <files or folders...>');
  if (eventPaths.length === 0) return usage(io, 'needs --events <files or folders...>');
  const workersText = str(args.values.workers) ?? '1';
  const workers = /^\d+$/.test(workersText) ? Number(workersText) : Number.NaN;
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    return usage(io, `--workers must be a whole number from 1 to ${MAX_WORKERS}, not '${workersText}'`);
  }
  const threadInputText = str(args.values['thread-input']);
  let minBytesPerThread: number | undefined;
  if (threadInputText !== undefined) {
    const mib = /^\d+(\.\d+)?$/.test(threadInputText) ? Number(threadInputText) : Number.NaN;
    if (!Number.isFinite(mib)) return usage(io, `--thread-input must be a number of MiB (0 or more), not '${threadInputText}'`);
    minBytesPerThread = Math.round(mib * 1024 * 1024);
  }
  const shard = shardArg(args);
  const timeFields = list(args.values['time-field']);
  const toleranceText = str(args.values['time-tolerance']);
  let toleranceMs: number | undefined;
  if (toleranceText !== undefined) {
    const t = toleranceText === '0' ? { ms: 0 } : parseTimespan(toleranceText);
    if (typeof t === 'string') return usage(io, `--time-tolerance: ${t}`);
    toleranceMs = t.ms;
  }
  const reporterEntry = SCAN_REPORTERS.pick(str(args.values.reporter));
  const logsource = str(args.values.logsource) === 'ignore' ? 'ignore' : 'map';
  const today = new Date();

  let knownFps: KnownFp[] = [];
  const knownFpFile = str(args.values['known-fps']);
  if (knownFpFile !== undefined) {
    const loaded = loadKnownFps(inCwd(io, knownFpFile));
    if (loaded.diagnostics.some((d) => d.severity === 'error')) {
      printDiagnostics(io, loaded.diagnostics);
      return usage(io, `the known false-positive file ${knownFpFile} cannot be used (see above)`);
    }
    printDiagnostics(io, loaded.diagnostics);
    printDiagnostics(io, expiredDiagnostics(loaded.entries, today));
    knownFps = loaded.entries;
  }

  // A pipeline that cannot be used stops the scan before it starts (its rules would run unmapped).
  const pipelines = list(args.values.pipeline);
  if (pipelines.length > 0) {
    const env = loadEnvironment(str(args.values.config), io.cwd, { pipelines });
    if (pipelineFailed(env)) {
      printDiagnostics(io, env.diagnostics.filter((d) => d.code.startsWith('PIPELINE_')));
      return usage(io, 'the processing pipeline cannot be used (see above)');
    }
  }

  const outPath = str(args.values.out);
  let file: OutputFile | undefined;
  if (outPath !== undefined) {
    const problem = outputProblem(io, outPath, [yamlInputs(io, rulePaths), eventInputs(io, eventPaths), fileInputs(io, [knownFpFile], { config: str(args.values.config) })]);
    if (problem !== undefined) return usage(io, `--out ${outPath}: ${problem}`);
    try {
      file = new OutputFile(inCwd(io, outPath));
    } catch (e) {
      return usage(io, `cannot write ${outPath}: ${(e as Error).message}`);
    }
  }
  const columns = process.stderr.columns || 100; // 0 or undefined when the size is unknown
  const progress = new ProgressLine(io.err, io.isTty, scanProgressText, columns);
  const sink = file === undefined ? io.out : (t: string): void => file.write(t);
  // Report text is collected into 64 KiB writes (one write per match costs more than the match).
  let pending: string[] = [];
  let pendingSize = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    if (file === undefined) progress.clear();
    sink(pending.join(''));
    pending = [];
    pendingSize = 0;
  };
  const out = (t: string): void => {
    pending.push(t);
    pendingSize += t.length;
    if (pendingSize >= 64 * 1024) flush();
  };
  const err = (t: string): void => {
    flush();
    progress.clear();
    io.err(t);
  };
  const reporter = reporterEntry.create({ out, err });
  const shown = shownPaths(io);

  progress.note(`scan: loading rules${workers > 1 ? ` (in up to ${workers} threads)` : ''}…`);
  let summary: ScanSummary;
  try {
    summary = await scan({
      rulePaths,
      eventPaths,
      logsource,
      workers,
      ...(minBytesPerThread === undefined ? {} : { minBytesPerThread }),
      shard,
      cwd: io.cwd,
      configFile: str(args.values.config),
      pipelines: list(args.values.pipeline),
      placeholders: str(args.values.placeholders) as 'error' | 'skip' | undefined,
      minLevel: str(args.values['min-level']),
      cacheDir: ruleCacheDir(args, io),
      knownFps,
      today,
      timeFields: timeFields.length > 0 ? timeFields : undefined,
      toleranceMs,
      onMatch: (m) => reporter.match(shown.match(m)),
      onAlert: (a) => reporter.alert(shown.alert(a)),
      onDiagnostic: (d) => err(`${terminalLine(formatDiagnostic(d.file === undefined ? d : { ...d, file: shownPath(io, d.file) }))}\n`),
      onProgress: (p) => {
        // A terminal shows matches as they come, not in 64 KiB steps.
        if (io.isTty) flush();
        progress.update(p.file === undefined ? p : { ...p, file: shown.file(p.file) });
      },
    });
  } catch (e) {
    const message = `the scan failed: ${(e as Error).message}`;
    // What went to stdout stays a complete document; a file report is dropped (the target is left as it was).
    reporter.abort(message);
    flush();
    progress.done();
    file?.abort();
    io.err(`sigmatest scan: ${message}\n`);
    return EXIT.failed;
  }
  progress.done();
  summary = {
    ...summary,
    perRule: summary.perRule.map((r) => ({ ...r, path: shown.file(r.path) })),
    perCorrelation: summary.perCorrelation.map((c) => ({ ...c, path: shown.file(c.path) })),
    skipped: summary.skipped.map((r) => ({ ...r, path: shown.file(r.path) })),
  };
  reporter.finish(summary);
  flush();
  if (file !== undefined) {
    try {
      file.commit();
    } catch (e) {
      io.err(`sigmatest scan: cannot write ${outPath ?? ''}: ${(e as Error).message}\n`);
      return EXIT.failed;
    }
    // With the report in a file, the summary is shown on stderr too (jsonl writes it there anyway).
    if (!reporterEntry.summaryOnErr) io.err(formatScanSummary(summary));
    io.err(`scan: report written to ${outPath ?? ''}\n`);
  }

  let failed = false;
  if (summary.rules === 0) {
    io.err(`sigmatest scan: no rules loaded from ${rulePaths.join(', ')}: nothing to scan with\n`);
    failed = true;
  }
  if (summary.events === 0) {
    io.err(`sigmatest scan: read zero events from ${eventPaths.join(', ')} (${summary.files} event file${summary.files === 1 ? '' : 's'} found): a scan that read no events checked nothing\n`);
    failed = true;
  }
  if (summary.errors > 0) {
    io.err(`sigmatest scan: ${summary.errors} error${summary.errors === 1 ? '' : 's'} in rules or event files (reported above)\n`);
    failed = true;
  }
  return failed ? EXIT.failed : EXIT.ok;
}

/**
 * Matches and file names as the report shows them: paths relative to `io.cwd` (the scan reads
 * absolute ones). A rule keeps one shown copy, so reporters that cache per rule still can.
 */
function shownPaths(io: Io): { match: (m: ScanMatch) => ScanMatch; alert: (a: CorrelationAlert) => CorrelationAlert; file: (path: string) => string } {
  const files = new Map<string, string>();
  const rules = new Map<ScanRuleInfo, ScanRuleInfo>();
  const file = (path: string): string => {
    let s = files.get(path);
    if (s === undefined) files.set(path, (s = shownPath(io, path)));
    return s;
  };
  const match = (m: ScanMatch): ScanMatch => {
    let rule = rules.get(m.rule);
    if (rule === undefined) rules.set(m.rule, (rule = { ...m.rule, file: file(m.rule.file) }));
    return { ...m, rule, file: file(m.file) };
  };
  const alert = (a: CorrelationAlert): CorrelationAlert => ({
    ...a,
    correlation: { ...a.correlation, file: file(a.correlation.file) },
    events: a.events.map((e) => ({ ...e, file: file(e.file) })),
  });
  return { match, alert, file };
}

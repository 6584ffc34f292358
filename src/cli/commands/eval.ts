/**
 * `sigmatest eval`: rules × events, one JSON line per match, one per rule that failed to load.
 * Events stream file by file; N counts events from 0 across all event files in order.
 */
import { EXIT, list, str } from '../args.js';
import type { CommandSpec, Parsed } from '../args.js';
import { loadEnvironment, printDiagnostics } from '../io.js';
import type { Io } from '../io.js';
import { collectRules } from '../../rules/collect-rules.js';
import { readEvents } from '../../events/read-events.js';
import { compileLogsourceFilter } from '../../logsource/logsource.js';
import { EventView, planMatches } from '../../evaluate/evaluate.js';
import type { Event } from '../../evaluate/evaluate.js';

export const evalSpec: CommandSpec = {
  name: 'eval',
  summary: 'Evaluate rules against events and print one JSON line per match.',
  usage: 'eval <rule files or folders...> --events <files...> [--logsource ignore|map]',
  description:
    'Each match prints {"rule": <id>, "path": <rule file>, "event": N}, N counting events from 0 across all\n' +
    'event files in the order given. A rule that cannot be loaded prints {"path", "error": {code, message,\n' +
    'line, column}}. Event files may be JSONL, JSON arrays, concatenated JSON objects or EVTX-JSON.\n' +
    'Exit 0 when every rule and event file loaded, 2 otherwise (the others are still evaluated).',
  options: {
    events: { type: 'string', multiple: true, arg: '<files...>', help: 'event files to evaluate' },
    logsource: { type: 'string', choices: ['ignore', 'map'], default: 'ignore', help: 'apply the logsource mapping to pick the events a rule sees' },
    config: { type: 'string', arg: '<file>', help: 'sigmatest config file (placeholders, logsource mapping)' },
  },
};

export async function evalCommand(args: Parsed, io: Io): Promise<number> {
  const rulePaths = args.positionals;
  const eventFiles = list(args.values.events);
  if (rulePaths.length === 0 || eventFiles.length === 0) {
    io.err(`sigmatest eval needs rule paths and --events files. See 'sigmatest eval --help'.\n`);
    return EXIT.usage;
  }
  const env = loadEnvironment(str(args.values.config));
  printDiagnostics(io, env.diagnostics);
  const set = collectRules(rulePaths, { placeholders: env.config.placeholders });
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
      io.out(`${JSON.stringify({ path: f.file, error })}\n`);
    }
  }
  for (const d of set.diagnostics) if (d.code === 'PATH_NOT_FOUND') invalid = true;
  printDiagnostics(io, set.diagnostics);

  for (const f of set.files) {
    for (const o of f.others) {
      io.err(`${f.file}: ${o.kind} document ${o.document + 1}${o.title ? ` '${o.title}'` : ''} loaded, not evaluated (${o.kind} rules are not evaluated yet)\n`);
    }
  }
  const mapLogsource = args.values.logsource === 'map';
  const rules = set.rules.map((r) => ({
    rule: r,
    applies: mapLogsource ? compileLogsourceFilter(r.logsource, env.mapping) : () => true,
  }));
  const started = process.hrtime.bigint();
  let n = 0;
  let matches = 0;
  for (const file of eventFiles) {
    for await (const rec of readEvents(file)) {
      if (rec.kind === 'error') {
        invalid = true;
        printDiagnostics(io, [rec.diagnostic]);
        continue;
      }
      const event = rec.event as Event;
      const view = new EventView(event);
      for (const { rule, applies } of rules) {
        if (!applies(event)) continue;
        if (planMatches(rule.plan, view)) {
          matches++;
          io.out(`${JSON.stringify({ rule: rule.id ?? null, path: rule.file, event: n })}\n`);
        }
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

/**
 * `sigmatest events <files...>`: prints the flattened events as JSON lines, so rule authors see
 * the field names their rules must use (EVTX, EVTX-JSON, JSON, JSONL alike).
 */
import { EXIT } from '../args.js';
import type { CommandSpec, Parsed } from '../args.js';
import { inCwd, printDiagnostics } from '../io.js';
import type { Io } from '../io.js';
import { readEvents } from '../../event-files/read-events.js';
import { listEventFiles } from '../../event-files/list-event-files.js';
import { jsonTerminalSafe } from '../../report/escape.js';

export const eventsSpec: CommandSpec = {
  name: 'events',
  summary: 'Print events as the rules see them (flattened), one JSON line each.',
  usage: 'events <files or folders...> [--raw]',
  description: 'Reads .evtx, EVTX-JSON, JSON arrays, JSONL and concatenated JSON objects. Exit 2 when a file could not be read.',
  options: {
    raw: { type: 'boolean', help: 'print the events as read, before flattening' },
  },
};

export async function eventsCommand(args: Parsed, io: Io): Promise<number> {
  if (args.positionals.length === 0) {
    io.err(`sigmatest events needs event files. See 'sigmatest events --help'.\n`);
    return EXIT.usage;
  }
  // Folders are walked as scan walks them (event files by extension, sorted, links followed).
  const listed = listEventFiles(args.positionals.map((p) => inCwd(io, p)));
  printDiagnostics(io, listed.diagnostics);
  let bad = listed.diagnostics.some((d) => d.severity === 'error');
  let n = 0;
  for (const file of listed.files) {
    for await (const rec of readEvents(file)) {
      if (rec.kind === 'error') {
        if (rec.diagnostic.severity === 'error') bad = true;
        printDiagnostics(io, [rec.diagnostic]);
        continue;
      }
      n++;
      // Event values are attacker-controlled: nothing a terminal obeys is printed raw.
      io.out(`${jsonTerminalSafe(JSON.stringify(args.values.raw === true ? rec.raw : rec.event))}\n`);
    }
  }
  io.err(`events: ${n} events from ${listed.files.length} file${listed.files.length === 1 ? '' : 's'}\n`);
  return bad ? EXIT.usage : EXIT.ok;
}

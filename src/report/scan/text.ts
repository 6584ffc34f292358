/** The scan's text reporter: readable matches (rule, where, an excerpt of the event) and the summary. */
import type { ScanMatch } from '../../scan/scan.js';
import { terminalLine } from '../escape.js';
import { formatScanSummary } from './summary.js';
import type { ReporterOutput, ScanReporter, StreamReporter } from './scan-reporter.js';

const EXCERPT = 200;

/** A short `Field=value, …` view of an event (as rules see it), cut to about 200 characters. */
export function eventExcerpt(event: Record<string, unknown>, max = EXCERPT): string {
  let out = '';
  for (const [k, v] of Object.entries(event)) {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    const part = `${out === '' ? '' : ', '}${k}=${text}`;
    out += part;
    if (out.length > max) return `${out.slice(0, max - 1)}…`;
  }
  return out;
}

function where(m: ScanMatch): string {
  // `index` is the event's position in its file; an .evtx record's own number is EventRecordID (shown with the evidence).
  return m.line > 0 ? `${m.file}:${m.line} (event ${m.index} of the file)` : `${m.file} (event ${m.index} of the file)`;
}

/**
 * A match (terminal-safe: event values are attacker-controlled text): the rule, where the event
 * is, then its evidence, one `Field: value` line each (the fields the rule reads, EventRecordID,
 * Computer, time, level); without evidence, an excerpt of the event.
 */
export function formatScanMatch(m: ScanMatch): string {
  const head = `${terminalLine(`${m.rule.title} [${m.rule.id ?? 'no id'}] ${m.rule.file}`)}\n`;
  if (m.evidence === undefined || m.evidence.length === 0) return `${head}    ${terminalLine(`${where(m)}: ${eventExcerpt(m.event).replace(/\r?\n|\r/g, '⏎')}`)}\n`;
  const width = Math.max(...m.evidence.map((e) => e.field.length));
  return `${head}    ${terminalLine(where(m))}\n${m.evidence.map((e) => `      ${terminalLine(`${`${e.field}:`.padEnd(width + 1)} ${e.value.replace(/\r?\n|\r/g, '⏎')}`)}\n`).join('')}`;
}

export function createTextReporter(output: ReporterOutput): ScanReporter {
  return {
    match: (m) => output.out(formatScanMatch(m)),
    finish: (s) => output.out(`${s.matches > 0 ? '\n' : ''}${formatScanSummary(s)}`),
    // The matches shown stand; the command reports the failure.
    abort: () => undefined,
  };
}

export const scanTextReporter: StreamReporter = {
  name: 'text',
  help: 'readable matches (rule, file:line, the fields the rule reads with their values, EventRecordID, Computer, time, level) and the summary',
  output: 'stream',
  summaryOnErr: false,
  create: createTextReporter,
};

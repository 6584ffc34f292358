/** The scan's text reporter: readable matches (rule, where, an excerpt of the event) and the summary. */
import type { CorrelationAlert, ScanMatch } from '../../scan/scan.js';
import { formatTime } from '../../correlation/event-time.js';
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

/** A value of an alert's group as text. */
function groupValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Two lines per alert: the correlation, then group, window, value and contributing events (terminal-safe). */
export function formatScanAlert(a: CorrelationAlert): string {
  const group = Object.entries(a.group).map(([k, v]) => `${k}=${groupValue(v)}`).join(', ');
  const byFile = new Map<string, number[]>();
  for (const e of a.events) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e.index]);
  const events = [...byFile].map(([file, idx]) => `${file} (${idx.length === 1 ? 'event' : 'events'} ${idx.join(', ')})`).join('; ');
  return (
    `${terminalLine(`ALERT ${a.correlation.title} [${a.correlation.id ?? 'no id'}] ${a.correlation.file} (${a.type})`)}\n` +
    `    ${terminalLine(`group ${group === '' ? '(all events)' : group}; ${formatTime(a.start)} .. ${formatTime(a.end)}; value ${a.value}; ${events}${a.omitted > 0 ? ` and ${a.omitted} more` : ''}`)}\n`
  );
}

export function createTextReporter(output: ReporterOutput): ScanReporter {
  let shown = false;
  return {
    match: (m) => {
      shown = true;
      output.out(formatScanMatch(m));
    },
    alert: (a) => {
      shown = true;
      output.out(formatScanAlert(a));
    },
    finish: (s) => output.out(`${shown ? '\n' : ''}${formatScanSummary(s)}`),
    // The matches shown stand; the command reports the failure.
    abort: () => undefined,
  };
}

export const scanTextReporter: StreamReporter = {
  name: 'text',
  help: 'readable matches (rule, file:line, the fields the rule reads with their values, EventRecordID, Computer, time, level), correlation alerts and the summary',
  output: 'stream',
  summaryOnErr: false,
  create: createTextReporter,
};

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
  return m.line > 0 ? `${m.file}:${m.line} (event ${m.index})` : `${m.file} (record ${m.index})`;
}

/** Two lines per match (terminal-safe: event values are attacker-controlled text). */
export function formatScanMatch(m: ScanMatch): string {
  return `${terminalLine(`${m.rule.title} [${m.rule.id ?? 'no id'}] ${m.rule.file}`)}\n    ${terminalLine(`${where(m)}: ${eventExcerpt(m.event).replace(/\r?\n|\r/g, '⏎')}`)}\n`;
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
  help: 'readable matches (rule, file:line, an excerpt of the event) and the summary',
  output: 'stream',
  summaryOnErr: false,
  create: createTextReporter,
};

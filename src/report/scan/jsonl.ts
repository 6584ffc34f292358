/** The scan's jsonl reporter: one JSON object per match and per correlation alert on the report stream; the summary as text on stderr. */
import { matchRecordJsonFactory } from './match-record.js';
import { alertRecord } from './alert-record.js';
import { jsonTerminalSafe } from '../escape.js';
import { formatScanSummary } from './summary.js';
import type { ReporterOutput, ScanReporter, StreamReporter } from './scan-reporter.js';

export function createJsonlReporter(output: ReporterOutput): ScanReporter {
  const json = matchRecordJsonFactory();
  return {
    match: (m) => output.out(`${json(m)}\n`),
    alert: (a) => output.out(`${jsonTerminalSafe(JSON.stringify(alertRecord(a)))}\n`),
    finish: (s) => output.err(formatScanSummary(s)),
    // Every line written is a whole record; the command reports the failure.
    abort: () => undefined,
  };
}

export const scanJsonlReporter: StreamReporter = {
  name: 'jsonl',
  help: 'one JSON line per match and per correlation alert, the summary on stderr',
  output: 'stream',
  summaryOnErr: true,
  create: createJsonlReporter,
};

/** The scan's json reporter: one document `{"matches": [...], "alerts": [...], "summary": {...}}`, matches streamed, alerts held to the end. */
import { matchRecordJsonFactory } from './match-record.js';
import { summaryData } from './summary.js';
import { alertRecord } from './alert-record.js';
import type { AlertRecord } from './alert-record.js';
import { jsonTerminalSafe } from '../escape.js';
import type { ReporterOutput, ScanReporter, StreamReporter } from './scan-reporter.js';

export function createJsonReporter(output: ReporterOutput): ScanReporter {
  const json = matchRecordJsonFactory();
  let first = true;
  const alerts: AlertRecord[] = [];
  const alertList = (): string => `"alerts": [${alerts.map((a) => `\n${jsonTerminalSafe(JSON.stringify(a))}`).join(',')}${alerts.length > 0 ? '\n' : ''}]`;
  output.out('{"matches": [');
  return {
    match(m) {
      output.out(`${first ? '\n' : ',\n'}${json(m)}`);
      first = false;
    },
    alert(a) {
      alerts.push(alertRecord(a));
    },
    finish: (s) => output.out(`${first ? '' : '\n'}],\n${alertList()},\n"summary": ${jsonTerminalSafe(JSON.stringify(summaryData(s), null, 2))}}\n`),
    // No summary: the document ends with what failed, so `summary` absent means the scan did not finish.
    abort: (message) => output.out(`${first ? '' : '\n'}],\n${alertList()},\n"error": ${jsonTerminalSafe(JSON.stringify(message))}}\n`),
  };
}

export const scanJsonReporter: StreamReporter = {
  name: 'json',
  help: 'one document {"matches": [...], "alerts": [...], "summary": {...}}',
  output: 'stream',
  summaryOnErr: false,
  create: createJsonReporter,
};

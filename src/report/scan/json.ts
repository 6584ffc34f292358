/** The scan's json reporter: one document `{"matches": [...], "summary": {...}}`, streamed. */
import { matchRecordJsonFactory } from './match-record.js';
import { summaryData } from './summary.js';
import { jsonTerminalSafe } from '../escape.js';
import type { ReporterOutput, ScanReporter, StreamReporter } from './scan-reporter.js';

export function createJsonReporter(output: ReporterOutput): ScanReporter {
  const json = matchRecordJsonFactory();
  let first = true;
  output.out('{"matches": [');
  return {
    match(m) {
      output.out(`${first ? '\n' : ',\n'}${json(m)}`);
      first = false;
    },
    finish: (s) => output.out(`${first ? '' : '\n'}],\n"summary": ${jsonTerminalSafe(JSON.stringify(summaryData(s), null, 2))}}\n`),
    // No summary: the document ends with what failed, so `summary` absent means the scan did not finish.
    abort: (message) => output.out(`${first ? '' : '\n'}],\n"error": ${jsonTerminalSafe(JSON.stringify(message))}}\n`),
  };
}

export const scanJsonReporter: StreamReporter = {
  name: 'json',
  help: 'one document {"matches": [...], "summary": {...}}',
  output: 'stream',
  summaryOnErr: false,
  create: createJsonReporter,
};

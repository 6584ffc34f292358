/**
 * The shape of a scan reporter. Scan output is streamed: a reporter is made for a run with the
 * two streams it writes to, gets each match as it is found and the summary at the end; nothing
 * is held until the end.
 */
import type { CorrelationAlert, ScanMatch, ScanSummary } from '../../scan/scan.js';
import type { ReporterInfo } from '../registry.js';

export interface ScanReporter {
  match(m: ScanMatch): void;
  /** A correlation alert, in the order decided (between the matches of the events read so far). */
  alert(a: CorrelationAlert): void;
  /** Ends the report. */
  finish(s: ScanSummary): void;
  /**
   * Ends the report of a scan that failed before its summary (`message`: why): what was written
   * stays a complete document (the json reporter closes its list), so readers never get half one.
   */
  abort(message: string): void;
}

/** Where a scan reporter writes: the report (`out`: stdout or the --out file) and messages (`err`). */
export interface ReporterOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** A registry entry: makes the reporter of one scan. */
export interface StreamReporter extends ReporterInfo {
  readonly output: 'stream';
  /** The summary goes to `err` (the report stream holds matches only). */
  readonly summaryOnErr: boolean;
  readonly create: (output: ReporterOutput) => ScanReporter;
}

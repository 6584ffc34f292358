/**
 * Golden files of every scan reporter: what it writes to the report stream (stdout or --out) and
 * to stderr, for the hand-built matches and summary of data.ts, and for a scan without matches.
 */
import { describe, expect, it } from 'vitest';
import { SCAN_REPORTERS } from '../../src/report/scan/registry.js';
import type { StreamReporter } from '../../src/report/scan/scan-reporter.js';
import type { CorrelationAlert, ScanMatch, ScanSummary } from '../../src/scan/scan.js';
import { SCAN_ALERTS, SCAN_MATCHES, SCAN_SUMMARY, SCAN_SUMMARY_EMPTY } from './data.js';
import { ext } from './golden.js';

/** The matches, with the alerts decided after the first one (a reporter interleaves them in that order). */
function scanWith(reporter: StreamReporter, matches: readonly ScanMatch[], summary: ScanSummary, alerts: readonly CorrelationAlert[] = []): { out: string; err: string } {
  let out = '';
  let err = '';
  const r = reporter.create({ out: (t) => void (out += t), err: (t) => void (err += t) });
  matches.forEach((m, k) => {
    r.match(m);
    if (k === 0) for (const a of alerts) r.alert(a);
  });
  r.finish(summary);
  return { out, err };
}

/** What a reporter writes to stderr: the summary when it says so (jsonl), else nothing. */
async function expectStderr(reporter: StreamReporter, err: string, golden: string): Promise<void> {
  if (reporter.summaryOnErr) await expect(err).toMatchFileSnapshot(golden);
  else expect(err).toBe('');
}

describe('scan reporters', () => {
  for (const r of SCAN_REPORTERS.entries()) {
    it(r.name, async () => {
      const { out, err } = scanWith(r, SCAN_MATCHES, SCAN_SUMMARY, SCAN_ALERTS);
      await expect(out).toMatchFileSnapshot(`scan/${r.name}${ext(r.name)}`);
      await expectStderr(r, err, `scan/${r.name}.stderr.txt`);
    });

    it(`${r.name}, no matches`, async () => {
      const { out, err } = scanWith(r, [], SCAN_SUMMARY_EMPTY);
      await expect(out).toMatchFileSnapshot(`scan/${r.name}-empty${ext(r.name)}`);
      await expectStderr(r, err, `scan/${r.name}-empty.stderr.txt`);
    });
  }
});

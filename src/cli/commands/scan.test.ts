/**
 * A scan that fails part-way (a worker dies, a read fails beyond recovery) still leaves a
 * complete JSON document on stdout: the matches reported so far and the error, never a truncated
 * `{"matches": [` (issue 23). The scan engine is replaced by one that reports two matches and fails.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ScanMatch, ScanOptions } from '../../scan/scan.js';
import { runCli } from '../main.js';
import { captureIo } from '../../../test/capture-io.js';

vi.mock('../../scan/scan.js', () => ({
  scan: async (options: ScanOptions): Promise<never> => {
    const rule = { id: 'r-1', file: '/x/r.yml', title: 'R' };
    for (let i = 0; i < 2; i++) {
      options.onMatch?.({ rule, raw: { n: i }, event: { n: i }, file: '/x/e.jsonl', index: i, line: i + 1 } as unknown as ScanMatch);
    }
    await Promise.resolve();
    throw new Error('scan worker 1 crashed: out of memory');
  },
}));

describe('a failed scan', () => {
  it('closes its JSON report validly, with the matches so far and the error, and exits 1', async () => {
    const io = captureIo({ cwd: '/' });
    const code = await runCli(['scan', '--rules', 'rules', '--events', 'events', '--reporter', 'json'], io);
    expect(code).toBe(1);
    const report = JSON.parse(io.stdout()) as { matches: Array<{ index: number }>; error: string; summary?: unknown };
    expect(report.matches.map((m) => m.index)).toEqual([0, 1]);
    expect(report.error).toBe('the scan failed: scan worker 1 crashed: out of memory');
    expect(report.summary).toBeUndefined();
    expect(io.stderr()).toMatch(/sigmatest scan: the scan failed: scan worker 1 crashed/);
  });

  it('jsonl and text keep the complete lines they wrote', async () => {
    for (const reporter of ['jsonl', 'text']) {
      const io = captureIo({ cwd: '/' });
      expect(await runCli(['scan', '--rules', 'rules', '--events', 'events', '--reporter', reporter], io)).toBe(1);
      expect(io.stdout().endsWith('\n'), reporter).toBe(true);
      if (reporter === 'jsonl') expect(io.stdout().trim().split('\n').map((l) => JSON.parse(l) as unknown)).toHaveLength(2);
    }
  });
});

/**
 * The small parts of the scan's output: the streamed atomic report file, the match records, the
 * event excerpt and the summary text (whole outputs: test/golden/).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputFile } from '../../util/output-file.js';
import { matchRecord, matchRecordJsonFactory } from './match-record.js';
import { formatScanSummary, summaryData } from './summary.js';
import { eventExcerpt } from './text.js';
import { jsonTerminalSafe } from '../escape.js';
import type { ScanMatch } from '../../scan/scan.js';
import type { SigmaRule } from '../../rules/load-rule.js';
import type { ScanSummary } from '../../scan/scan.js';

describe('OutputFile', () => {
  it('streams to a temporary file and puts it in place on commit', () => {
    const d = mkdtempSync(join(tmpdir(), 'sigmatest-out-'));
    const target = join(d, 'sub', 'report.jsonl');
    const f = new OutputFile(target);
    const big = 'x'.repeat(70_000);
    f.write('a\n');
    f.write(big);
    expect(existsSync(target)).toBe(false);
    f.commit();
    expect(readFileSync(target, 'utf8')).toBe(`a\n${big}`);
    expect(readdirSync(join(d, 'sub'))).toEqual(['report.jsonl']);
  });

  it('leaves the previous file alone on abort', () => {
    const d = mkdtempSync(join(tmpdir(), 'sigmatest-out-'));
    const target = join(d, 'report.jsonl');
    writeFileSync(target, 'old');
    const f = new OutputFile(target);
    f.write('new');
    f.abort();
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(d)).toEqual(['report.jsonl']);
  });
});

describe('matchRecordJsonFactory', () => {
  it('writes JSON.stringify(matchRecord(m)) with what a terminal obeys escaped (same value), reusing the JSON it is given', () => {
    const rule = { id: 'r-1', file: 'rules/a "b".yml', title: 'Tab\there \u009b2J' } as unknown as SigmaRule;
    const noId = { file: 'x.yml', title: 'X' } as unknown as SigmaRule;
    const raw = { Image: 'C:\\a.exe', n: 1.5, u: '\u2028', bidi: '\u202eexe.txt', esc: '\u001b[2J', nested: { a: [1, null, true] } };
    const matches: ScanMatch[] = [
      { rule, raw, event: raw, file: 'e/1.jsonl', index: 0, line: 1 },
      { rule: noId, raw, event: raw, file: 'e/1.jsonl', index: 0, line: 1 },
      { rule, raw: { b: 2 }, event: { b: 2 }, file: 'e/"2".json', index: 7, line: 3, rawJson: '{"b":2}' },
    ];
    const json = matchRecordJsonFactory();
    for (const m of matches) {
      const line = json(m);
      expect(line).toBe(jsonTerminalSafe(JSON.stringify(matchRecord(m))));
      expect(JSON.parse(line)).toEqual(matchRecord(m));
      // Nothing a terminal would obey: no raw C0/C1 control, DEL, bidi override or line separator.
      expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2028\u2029]/);
    }
  });
});

describe('eventExcerpt', () => {
  it('lists fields as Field=value and cuts long events', () => {
    expect(eventExcerpt({ Image: 'C:\\a.exe', EventID: 1, Tags: ['x', 'y'] })).toBe('Image=C:\\a.exe, EventID=1, Tags=["x","y"]');
    const long = eventExcerpt({ A: 'a'.repeat(500), B: 'b' });
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('formatScanSummary', () => {
  const summary: ScanSummary = {
    events: 12345,
    files: 2,
    rules: 10,
    rulesFailed: 1,
    correlations: 2,
    filters: 1,
    belowLevel: 0,
    skipped: [],
    matches: 3,
    correlationOnly: 7,
    alerts: 2,
    perCorrelation: [{ id: null, title: 'Brute force', path: 'r/c.yml', type: 'event_count', alerts: 2 }],
    suppressed: 2,
    perRule: [
      { id: 'a', title: 'Rule A', path: 'r/a.yml', matches: 3, suppressed: 0 },
      { id: null, title: 'Rule B', path: 'r/b.yml', matches: 0, suppressed: 2 },
    ],
    knownFps: 4,
    expiredKnownFps: 1,
    errors: 1,
    warnings: 0,
    workers: 4,
    loadSeconds: 0.5,
    deferredLoadSeconds: 0,
    seconds: 2.4691,
    eventsPerSecond: 4999.6,
  };

  it('says what was scanned, what matched and how fast', () => {
    const text = formatScanSummary(summary);
    expect(text).toContain('scan: 12,345 events from 2 files, 10 rules, 1 failed to load, 2 correlations, 1 filter, matched in 4 threads (the main thread and 3 workers)');
    expect(text).toContain('2 correlation alerts of 1 correlation; 7 matches only counted by correlations (not reported)');
    expect(text).toMatch(/ {5}2 {2}Brute force \[no id\] r\/c\.yml \(event_count\)/);
    expect(text).toContain('3 matches of 1 rule; 2 known false positives suppressed (4 entries, 1 expired)');
    // Loading and matching are told apart (the matching time does not include the load).
    expect(text).toContain('1 error; rules loaded in 0.50 s, then events matched in 2.47 s (5,000 events/s)');
    expect(text).toMatch(/ {6}3 {11}0 {2}Rule A \[a\] r\/a\.yml/);
    expect(text).toMatch(/ {6}0 {11}2 {2}Rule B \[no id\] r\/b\.yml/);
  });

  it('rounds times and the rate in the JSON summary', () => {
    expect(summaryData(summary)).toMatchObject({ seconds: 2.469, loadSeconds: 0.5, eventsPerSecond: 5000 });
    expect(summaryData({ ...summary, deferredLoadSeconds: 0.36149 }).deferredLoadSeconds).toBe(0.361);
  });
});

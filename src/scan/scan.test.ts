/**
 * The scanning engine in the main thread (the worker path runs from dist/: scan-workers.test.ts):
 * event folders walked in order, JSONL / JSON array / EVTX-JSON files, matches with the right
 * rule, file and index, logsource map vs ignore, known-FP suppression and expiry, malformed
 * events reported with file:line while the scan carries on, batch size not changing anything.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { formatDiagnostic } from '../diagnostics/diagnostics.js';
import { parseKnownFps } from '../known-fps/known-fps.js';
import { listEventFiles } from '../event-files/list-event-files.js';
import { scan } from './scan.js';
import type { ScanOptions, ScanSummary } from './scan.js';
import { matchRecord } from '../report/scan/match-record.js';
import type { MatchRecord } from '../report/scan/match-record.js';
import { ANY_RULE_ID, fixture, PROC_RULE, PROC_RULE_ID, SYSMON, writeSysmonEvtx } from '../../test/support/scan-fixture.js';

async function run(options: Partial<ScanOptions> & Pick<ScanOptions, 'rulePaths' | 'eventPaths'>): Promise<{ matches: MatchRecord[]; diagnostics: Diagnostic[]; summary: ScanSummary }> {
  const matches: MatchRecord[] = [];
  const diagnostics: Diagnostic[] = [];
  const summary = await scan({
    logsource: 'map',
    ...options,
    onMatch: (m) => matches.push(matchRecord(m)),
    onDiagnostic: (d) => diagnostics.push(d),
  });
  return { matches, diagnostics, summary };
}

const where = (m: MatchRecord): string => `${m.rule} ${m.file.replace(/^.*events[\\/]/, '')}#${m.index}`;

describe('listEventFiles', () => {
  it('walks folders recursively for event extensions, sorted, skipping hidden files; files given are read whatever their name', () => {
    const { events } = fixture();
    writeFileSync(join(events, 'd.NDJSON'), '');
    writeFileSync(join(events, 'e.evtx'), '');
    const { files, diagnostics } = listEventFiles([events, join(events, 'notes.txt'), join(events, 'a.jsonl'), join(events, 'missing')]);
    expect(files.map((f) => f.slice(events.length + 1))).toEqual(['a.jsonl', 'b.json', 'd.NDJSON', 'e.evtx', join('nested', 'c.json'), 'notes.txt']);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'EVENT_PATH_NOT_FOUND', severity: 'error', file: join(events, 'missing') });
  });
});

describe('scan', () => {
  it('finds matches in JSONL, JSON arrays and EVTX-JSON with the right rule, file and index, in file order', async () => {
    const { rules, events } = fixture();
    const { matches, diagnostics, summary } = await run({ rulePaths: [rules], eventPaths: [events] });
    expect(diagnostics).toEqual([]);
    expect(matches.map(where)).toEqual([
      `${PROC_RULE_ID} a.jsonl#0`,
      `${ANY_RULE_ID} a.jsonl#3`,
      `${PROC_RULE_ID} b.json#1`,
      `${PROC_RULE_ID} ${join('nested', 'c.json')}#0`,
    ]);
    const first = matches[0] as MatchRecord;
    expect(first).toEqual({
      rule: PROC_RULE_ID,
      path: join(rules, 'proc.yml'),
      title: 'Whoami',
      event: { Channel: SYSMON, EventID: 1, Image: 'C:\\Windows\\System32\\whoami.exe', User: 'alice' },
      file: join(events, 'a.jsonl'),
      index: 0,
    });
    // The event is reported as read: EVTX-JSON stays nested.
    expect((matches[3]?.event as { Event: unknown }).Event).toBeDefined();
    expect(summary).toMatchObject({ events: 7, files: 3, rules: 2, rulesFailed: 0, matches: 4, suppressed: 0, errors: 0, workers: 1 });
    expect(summary.perRule).toEqual([
      { id: PROC_RULE_ID, title: 'Whoami', path: join(rules, 'proc.yml'), matches: 3, suppressed: 0 },
      { id: ANY_RULE_ID, title: 'Marker', path: join(rules, 'any.yml'), matches: 1, suppressed: 0 },
    ]);
    expect(summary.eventsPerSecond).toBeGreaterThan(0);
  });

  it('reads native .evtx files found in folders, reporting the record index', async () => {
    const { rules, dir } = fixture();
    mkdirSync(join(dir, 'logs'));
    writeSysmonEvtx(join(dir, 'logs', 'sysmon.evtx'), [
      { eventId: 3, image: 'C:\\Windows\\whoami.exe' },
      { eventId: 1, image: 'C:\\Windows\\notepad.exe' },
      { eventId: 1, image: 'C:\\Windows\\whoami.exe' },
    ]);
    const { matches, diagnostics, summary } = await run({ rulePaths: [rules], eventPaths: [join(dir, 'logs')] });
    expect(diagnostics).toEqual([]);
    expect(matches.map((m) => [m.rule, m.index])).toEqual([[PROC_RULE_ID, 2]]);
    expect(matches[0]?.event).toEqual({ Event: { System: { EventID: 1, Channel: SYSMON }, EventData: { Image: 'C:\\Windows\\whoami.exe' } } });
    expect(summary).toMatchObject({ events: 3, files: 1 });
  });

  it('--logsource map keeps a process_creation rule off a Sysmon network event (EventID 3); ignore does not', async () => {
    const { rules, events } = fixture();
    const file = join(events, 'a.jsonl');
    const mapped = await run({ rulePaths: [join(rules, 'proc.yml')], eventPaths: [file], logsource: 'map' });
    expect(mapped.matches.map((m) => m.index)).toEqual([0]);
    const ignored = await run({ rulePaths: [join(rules, 'proc.yml')], eventPaths: [file], logsource: 'ignore' });
    expect(ignored.matches.map((m) => m.index)).toEqual([0, 2]);
  });

  it('counts matches covered by a known false positive per rule instead of reporting them', async () => {
    const { rules, events } = fixture();
    const fps = parseKnownFps(`known_fps:\n  - {rule: ${PROC_RULE_ID}, field: User, value: 'B*', reason: bob is the admin}\n`, 'fps.yml');
    const { matches, summary } = await run({ rulePaths: [rules], eventPaths: [events], knownFps: fps.entries });
    expect(matches.map(where)).toEqual([`${PROC_RULE_ID} a.jsonl#0`, `${ANY_RULE_ID} a.jsonl#3`, `${PROC_RULE_ID} ${join('nested', 'c.json')}#0`]);
    expect(summary).toMatchObject({ matches: 3, suppressed: 1, knownFps: 1, expiredKnownFps: 0 });
    expect(summary.perRule[0]).toMatchObject({ id: PROC_RULE_ID, matches: 2, suppressed: 1 });
  });

  it('an expired known false positive suppresses nothing and is counted as expired', async () => {
    const { rules, events } = fixture();
    const fps = parseKnownFps(`- {rule: ${PROC_RULE_ID}, field: User, reason: accepted until 2024, expires: 2024-12-31}\n`, 'fps.yml');
    const { matches, summary } = await run({ rulePaths: [rules], eventPaths: [events], knownFps: fps.entries, today: new Date(2025, 0, 1, 12) });
    expect(matches).toHaveLength(4);
    expect(summary).toMatchObject({ matches: 4, suppressed: 0, knownFps: 1, expiredKnownFps: 1 });
    const before = await run({ rulePaths: [rules], eventPaths: [events], knownFps: fps.entries, today: new Date(2024, 11, 31, 12) });
    expect(before.summary).toMatchObject({ matches: 1, suppressed: 3, expiredKnownFps: 0 });
  });

  it('reports a malformed event line with file:line and carries on with the next events', async () => {
    const { rules, events } = fixture();
    const bad = join(events, 'bad.jsonl');
    writeFileSync(bad, `{"Marker": "yes"}\n{"Marker": \n{"Marker": "yes"}\n[1]\n{"Marker": "yes"}\n`);
    const { matches, diagnostics, summary } = await run({ rulePaths: [rules], eventPaths: [bad] });
    expect(diagnostics.map((d) => d.code)).toEqual(['EVENT_INVALID_JSON', 'EVENT_NOT_OBJECT']);
    expect(diagnostics[0]?.file).toBe(bad);
    expect(formatDiagnostic(diagnostics[0] as Diagnostic)).toMatch(/bad\.jsonl:\d+:\d+: error EVENT_INVALID_JSON/);
    expect(diagnostics[1]?.pos?.line).toBe(4);
    expect(matches.length).toBeGreaterThanOrEqual(2);
    expect(matches[0]?.index).toBe(0);
    expect(matches[matches.length - 1]?.index).toBe(4);
    expect(summary.errors).toBe(2);
  });

  it('reports missing event paths and rules that fail to load, and scans the rest', async () => {
    const { rules, events } = fixture();
    writeFileSync(join(rules, 'broken.yml'), PROC_RULE.replace('Image|endswith', 'Image|endwith').replace('11111111', '31111111'));
    const { matches, diagnostics, summary } = await run({ rulePaths: [rules], eventPaths: [events, join(events, 'nope.jsonl')] });
    expect(diagnostics.map((d) => d.code)).toEqual(['MODIFIER_UNKNOWN', 'EVENT_PATH_NOT_FOUND']);
    expect(summary).toMatchObject({ rules: 2, rulesFailed: 1, errors: 2, matches: 4 });
    expect(matches).toHaveLength(4);
  });

  it('gives the same results whatever the batch size', async () => {
    const { rules, events } = fixture();
    const base = await run({ rulePaths: [rules], eventPaths: [events] });
    for (const batchSize of [1, 2, 3]) {
      const r = await run({ rulePaths: [rules], eventPaths: [events], batchSize });
      expect(r.matches).toEqual(base.matches);
      expect({ ...r.summary, seconds: 0, loadSeconds: 0, deferredLoadSeconds: 0, eventsPerSecond: 0 }).toEqual({ ...base.summary, seconds: 0, loadSeconds: 0, deferredLoadSeconds: 0, eventsPerSecond: 0 });
    }
  });

  it('reads nothing from an empty folder (the CLI fails such a scan)', async () => {
    const { rules, dir } = fixture();
    mkdirSync(join(dir, 'empty'));
    const { summary } = await run({ rulePaths: [rules], eventPaths: [join(dir, 'empty')] });
    expect(summary).toMatchObject({ events: 0, files: 0, errors: 0 });
  });

  it('reports progress, ending with every file done', async () => {
    const { rules, events } = fixture();
    const seen: number[] = [];
    let last: { filesDone: number; files: number; events: number } | undefined;
    await scan({
      rulePaths: [rules],
      eventPaths: [events],
      logsource: 'map',
      batchSize: 2,
      onProgress: (p) => {
        seen.push(p.events);
        last = p;
      },
    });
    expect(seen.length).toBeGreaterThan(3);
    expect(last).toMatchObject({ filesDone: 3, files: 3, events: 7 });
  });

  it('refuses workers when the compiled worker script is missing (tests run the TypeScript sources)', async () => {
    const { rules, events } = fixture();
    const { existsSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const { WORKER_SCRIPT } = await import('./batch-matcher.js');
    if (existsSync(fileURLToPath(WORKER_SCRIPT))) return; // running from compiled code: nothing to check
    await expect(run({ rulePaths: [rules], eventPaths: [events], workers: 2, minBytesPerThread: 0 })).rejects.toThrow(/npm run build/);
  });
});

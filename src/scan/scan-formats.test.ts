/**
 * One scan's output, whatever the input format and the number of threads (issue 24): real
 * recordings of attacks (`../shared/corpus/evtx-to-mitre-attack`, a sample of its `.evtx` files,
 * and a damaged copy of its largest file) scanned with real rules (SigmaHQ's process creation,
 * PowerShell and Security rules, plus two correlations and a known false positive) as the `.evtx`
 * files themselves and as the JSON Lines `sigmatest events --raw` makes of them, on one, two and
 * three threads. The JSON reporter's document is the same (matches with every field and in the same
 * order, alerts, summary counts) for one format whatever the threads, and the same apart from
 * where events are (file, position) across formats; the diagnostics of the damaged file come out
 * at the same place among the matches whatever the threads. Uses the compiled code (dist/, rebuilt
 * when stale), as worker threads need it; the corpora are read from ../shared and the test is
 * skipped with a message when they are absent.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, closeSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanSummary } from './scan.js';
import { DIST, prepareDist, REPO_ROOT } from '../../test/support/dist.js';

const EVTX = join(REPO_ROOT, '../shared/corpus/evtx-to-mitre-attack');
const SIGMA = join(REPO_ROOT, '../shared/corpus/sigmahq/rules/windows');
/** The corpus's largest file: 43 chunks in use (Security 4688 process creations among them). */
const LARGE = join(EVTX, 'TA0005-Defense Evasion/T1562.004-Impair Defenses-Disable or Modify System Firewall/ID4688-5447-4950-Firewall disabled (command).evtx');
const skipReason = !existsSync(EVTX) || !existsSync(SIGMA) || !existsSync(LARGE) ? `${EVTX}, ${LARGE} or ${SIGMA} is absent` : prepareDist();
if (skipReason !== undefined) console.warn(`scan-formats.test skipped: ${skipReason}`);

/** Every `.evtx` file under a folder, sorted. */
function evtxFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...evtxFiles(p));
    else if (p.endsWith('.evtx')) out.push(p);
  }
  return out;
}

const CHUNK = 65536;
const HEADER = 4096;

/**
 * A damaged copy of the largest file: its header checksum broken (so its chunk count is not
 * trusted and zero chunks are decided by the chunks after them), chunks 14-17 wiped (across the
 * boundary of two 16-chunk segments read apart), a byte of chunk 25's records flipped, and the
 * file cut in the middle of chunk 40.
 */
function damagedCopy(to: string): void {
  copyFileSync(LARGE, to);
  const fd = openSync(to, 'r+');
  try {
    const byte = (at: number, value: number): void => void writeSync(fd, Buffer.from([value]), 0, 1, at);
    byte(100, 0x5a);
    writeSync(fd, Buffer.alloc(4 * CHUNK), 0, 4 * CHUNK, HEADER + 14 * CHUNK);
    byte(HEADER + 25 * CHUNK + 2000, 0xff);
  } finally {
    closeSync(fd);
  }
  truncateSync(to, HEADER + 40 * CHUNK + 30000);
}

describe.skipIf(skipReason !== undefined)('scan output is the same whatever the input format and worker count (real events)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sigmatest-formats-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('.evtx and JSON Lines × 1, 2 and 3 threads: the same JSON report, the damaged file\'s diagnostics in the same place', { timeout: 480_000 }, async () => {
    const { scan } = (await import(pathToFileURL(join(DIST, 'src/scan/scan.js')).href)) as typeof import('./scan.js');
    const { createJsonReporter } = (await import(pathToFileURL(join(DIST, 'src/report/scan/json.js')).href)) as typeof import('../report/scan/json.js');
    const { parseKnownFps } = (await import(pathToFileURL(join(DIST, 'src/known-fps/known-fps.js')).href)) as typeof import('../known-fps/known-fps.js');
    // Every fifth file (57 files, most of one chunk): process creations, PowerShell, Security;
    // the damaged copy in the middle, and a file named .evtx that is none.
    const sample = evtxFiles(EVTX).filter((_, i) => i % 5 === 0);
    mkdirSync(join(tmp, 'damaged'));
    const damaged = join(tmp, 'damaged', 'firewall.evtx');
    damagedCopy(damaged);
    const notEvtx = join(tmp, 'damaged', 'not.evtx');
    writeFileSync(notEvtx, 'this is no event log\n');
    const half = Math.floor(sample.length / 2);
    const files = [...sample.slice(0, half), damaged, notEvtx, ...sample.slice(half)];
    // The same events as JSON Lines, as read (EVTX-JSON): the reports' `event` fields are then equal too.
    const converted = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/sigmatest.js'), 'events', '--raw', ...files], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const jsonl = join(tmp, 'events.jsonl');
    writeFileSync(jsonl, converted.stdout);

    // Two correlations over a rule of every Security 4688 event: they need every such event, in order.
    const own = join(tmp, 'rules');
    mkdirSync(own);
    writeFileSync(
      join(own, 'correlations.yml'),
      [
        'title: Any process creation (Security)',
        'id: 0f5b1c3e-2a4d-4e6f-8a9b-0c1d2e3f4a5b',
        'name: any_4688',
        'logsource: {product: windows, service: security}',
        'detection: {selection: {EventID: 4688}, condition: selection}',
        'level: low',
        '---',
        'title: Many process creations on one host',
        'id: 1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
        'correlation: {type: event_count, rules: [any_4688], group-by: [Computer], timespan: 10m, condition: {gte: 5}, generate: true}',
        '---',
        'title: Many programs started by one user',
        'id: 2b3c4d5e-6f7a-4b9c-8d1e-2f3a4b5c6d7e',
        'correlation: {type: value_count, rules: [any_4688], group-by: [SubjectUserName], timespan: 1h, condition: {gte: 3, field: NewProcessName}, generate: true}',
        '',
      ].join('\n'),
    );
    const knownFps = parseKnownFps("- {rule: 0f5b1c3e-2a4d-4e6f-8a9b-0c1d2e3f4a5b, field: NewProcessName, value: '*System32*', reason: noise}\n", 'fps.yml').entries;
    const rulePaths = [...['process_creation', 'powershell', 'builtin/security'].map((d) => join(SIGMA, d)), own];

    const run = async (eventPaths: string[], workers: number): Promise<{ report: { matches: Array<Record<string, unknown>>; alerts: Array<Record<string, unknown>>; summary: ScanSummary }; log: string[] }> => {
      let out = '';
      const log: string[] = [];
      const reporter = createJsonReporter({ out: (t) => void (out += t), err: () => undefined });
      const summary = await scan({
        rulePaths,
        eventPaths,
        logsource: 'map',
        workers,
        // Exactly `workers` threads: the sample is far smaller than a thread's default share.
        minBytesPerThread: 0,
        knownFps,
        today: new Date('2026-01-01'),
        onMatch: (m) => {
          reporter.match(m);
          log.push(`match ${m.rule.id ?? m.rule.file} ${m.file}#${m.index}`);
        },
        onAlert: (a) => {
          reporter.alert(a);
          log.push(`alert ${a.correlation.id ?? ''} ${a.events.length}`);
        },
        onDiagnostic: (d) => log.push(`${d.severity} ${d.code} ${d.file ?? ''} ${d.path ?? ''} ${d.message}`),
      });
      reporter.finish(summary);
      return { report: JSON.parse(out) as { matches: Array<Record<string, unknown>>; alerts: Array<Record<string, unknown>>; summary: ScanSummary }, log };
    };
    /** The summary without what depends on time and threads. */
    const timeless = (s: ScanSummary): unknown => ({ ...s, workers: 0, seconds: 0, loadSeconds: 0, deferredLoadSeconds: 0, eventsPerSecond: 0 });
    /** The report without where events are (file, position) and without what reading the format itself reports. */
    const placeless = (r: { matches: Array<Record<string, unknown>>; alerts: Array<Record<string, unknown>>; summary: ScanSummary }): unknown => ({
      matches: r.matches.map(({ file: _f, index: _i, ...m }) => m),
      alerts: r.alerts.map(({ events, ...a }) => ({ ...a, events: (events as unknown[]).length })),
      summary: { ...(timeless(r.summary) as ScanSummary), files: 0, errors: 0, warnings: 0 },
    });

    const evtx1 = await run(files, 1);
    const s = evtx1.report.summary;
    expect(s.events).toBeGreaterThan(1000);
    expect(evtx1.report.matches.length).toBeGreaterThan(50);
    expect(evtx1.report.alerts.length).toBeGreaterThan(0);
    expect(s.suppressed).toBeGreaterThan(0);
    // The damaged file's problems, each once, in file order, between the matches of its events.
    const codes = evtx1.log.filter((l) => l.includes(damaged) && l.includes(' EVTX_')).map((l) => l.split(' ')[1]);
    expect(codes).toEqual(['EVTX_HEADER_CORRUPT', 'EVTX_CHUNK_ZEROED', 'EVTX_CHUNK_ZEROED', 'EVTX_CHUNK_ZEROED', 'EVTX_CHUNK_ZEROED', 'EVTX_CHUNK_CORRUPT', 'EVTX_CHUNK_CORRUPT']);
    expect(evtx1.log.filter((l) => l.includes(notEvtx)).map((l) => l.split(' ')[1])).toEqual(['EVTX_NOT_EVTX']);
    const firstDamaged = evtx1.log.findIndex((l) => l.includes(damaged));
    const lastDamaged = evtx1.log.findLastIndex((l) => l.includes(damaged));
    expect(evtx1.log.slice(firstDamaged, lastDamaged).filter((l) => l.startsWith('match')).length, 'matches among the damaged file\'s problems').toBeGreaterThan(0);

    const jsonl1 = await run([jsonl], 1);
    expect(placeless(jsonl1.report)).toEqual(placeless(evtx1.report));
    for (const workers of [2, 3]) {
      const e = await run(files, workers);
      expect(e.report.summary.workers).toBe(workers);
      expect(e.log, `.evtx, ${workers} threads: matches, alerts and diagnostics in the same order`).toEqual(evtx1.log);
      expect({ ...e.report, summary: timeless(e.report.summary) }).toEqual({ ...evtx1.report, summary: timeless(evtx1.report.summary) });
      const j = await run([jsonl], workers);
      expect(j.log, `JSON Lines, ${workers} threads`).toEqual(jsonl1.log);
      expect({ ...j.report, summary: timeless(j.report.summary) }).toEqual({ ...jsonl1.report, summary: timeless(jsonl1.report.summary) });
    }
    // Read back as events, the damaged copy gives what the scans counted.
    expect(readFileSync(jsonl, 'utf8').split('\n').filter((l) => l !== '').length).toBe(s.events);
  });
});

/**
 * The worker-thread path of the scan. Workers run the compiled `dist/src/scan/scan-worker.js`
 * (vitest runs TypeScript sources, which a worker thread cannot load), so these tests drive the
 * compiled engine and CLI from dist/. `npm ci` builds dist/ (`prepare`); when a source file is
 * newer than its compiled file, dist/ is rebuilt here first (tsc, as `npm run build`). Without
 * a usable dist/ the tests are skipped with a message saying to run `npm run build`.
 *
 * Checked: workers 2 and 3 give exactly the output of workers 1 (matches, their order,
 * diagnostics, counts), across many small batches, with malformed events and known FPs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import type { ScanSummary } from './scan.js';
import type { MatchRecord } from '../report/scan/match-record.js';
import { ANY_RULE_ID, fixture, PROC_RULE_ID, SYSMON, writeSysmonEvtx } from '../../test/support/scan-fixture.js';
import { prepareDist } from '../../test/support/dist.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(root, 'dist');
const workerScript = join(dist, 'src', 'scan', 'scan-worker.js');

const skipReason = prepareDist() ?? (existsSync(workerScript) ? undefined : `no compiled worker script at ${workerScript}`);
if (skipReason !== undefined) console.warn(`scan-workers.test skipped: ${skipReason}`);

type ScanModule = typeof import('./scan.js');
type ReportersModule = typeof import('../report/scan/match-record.js');
type KnownFpModule = typeof import('../known-fps/known-fps.js');
type BatchMatcherModule = typeof import('./batch-matcher.js');

async function compiled(): Promise<{ scan: ScanModule; reporters: ReportersModule; knownFps: KnownFpModule }> {
  const load = (p: string): Promise<unknown> => import(pathToFileURL(join(dist, 'src', p)).href);
  return {
    scan: (await load('scan/scan.js')) as ScanModule,
    reporters: (await load('report/scan/match-record.js')) as ReportersModule,
    knownFps: (await load('known-fps/known-fps.js')) as KnownFpModule,
  };
}

/** The fixture plus a bigger JSONL file (1,200 lines, 12 of them malformed) and 30 native EVTX records, over many batches. */
function bigFixture(): ReturnType<typeof fixture> {
  const f = fixture();
  const rows: string[] = [];
  for (let i = 0; i < 1200; i++) {
    if (i % 97 === 50) {
      rows.push('{"Marker": ');
      continue;
    }
    const kind = i % 7;
    const e =
      kind === 0
        ? { Channel: SYSMON, EventID: 1, Image: `C:\\t${i}\\whoami.exe`, User: i % 2 === 0 ? 'bob' : 'eve' }
        : kind === 1
          ? { Channel: SYSMON, EventID: 3, Image: 'C:\\whoami.exe' }
          : kind === 2
            ? { Marker: 'yes', n: i }
            : { Channel: SYSMON, EventID: 1, Image: `C:\\t${i}\\cmd.exe` };
    rows.push(JSON.stringify(e));
  }
  writeFileSync(join(f.events, 'big.jsonl'), rows.join('\n') + '\n');
  writeSysmonEvtx(
    join(f.events, 'nested', 'sysmon.evtx'),
    Array.from({ length: 30 }, (_, i) => ({ eventId: i % 3 === 0 ? 3 : 1, image: i % 2 === 0 ? `C:\\w${i}\\whoami.exe` : 'C:\\x.exe' })),
  );
  return f;
}

interface Outcome {
  matches: MatchRecord[];
  diagnostics: Diagnostic[];
  summary: ScanSummary;
}

describe.skipIf(skipReason !== undefined)('scan with worker threads (compiled code in dist/)', () => {
  it('a pool whose workers loaded other rules than the main thread refuses to start', async () => {
    const { startWorkerPool } = (await import(pathToFileURL(join(dist, 'src', 'scan', 'batch-matcher.js')).href)) as BatchMatcherModule;
    const f = fixture();
    const pool = startWorkerPool(1, { rulePaths: [f.rules], cwd: process.cwd(), configFile: undefined, logsource: 'map' });
    await expect(pool.ready('0:not-these-rules')).rejects.toThrow(/loaded other rules .* than the main thread/);
  });

  it('workers 2 and 3 give exactly the output of workers 1, batch by batch in order', async () => {
    const { scan, reporters, knownFps } = await compiled();
    const { rules, events } = bigFixture();
    const fps = knownFps.parseKnownFps(`- {rule: ${PROC_RULE_ID}, field: User, value: BOB, reason: admin}\n`, 'fps.yml').entries;
    const run = async (workers: number): Promise<Outcome> => {
      const matches: MatchRecord[] = [];
      const diagnostics: Diagnostic[] = [];
      const summary = await scan.scan({
        rulePaths: [rules],
        eventPaths: [events],
        logsource: 'map',
        workers,
        // Exactly `workers` threads, however small the input (see the thread-count test below).
        minBytesPerThread: 0,
        batchSize: 7,
        knownFps: fps,
        onMatch: (m) => matches.push(reporters.matchRecord(m)),
        onDiagnostic: (d) => diagnostics.push(d),
      });
      return { matches, diagnostics, summary };
    };
    // A rule that fails to load: reported once, whatever the number of threads.
    writeFileSync(join(rules, 'broken.yml'), 'title: broken\nlogsource: {product: windows}\ndetection:\n  sel: {Image|nope: x}\n  condition: sel\n');
    const one = await run(1);
    expect(one.summary.rulesFailed).toBe(1);
    expect(one.diagnostics.filter((d) => d.code === 'MODIFIER_UNKNOWN')).toHaveLength(1);
    expect(one.summary.events).toBe(1200 - 12 + 7 + 30);
    expect(one.matches.some((m) => m.file.endsWith('sysmon.evtx'))).toBe(true);
    expect(one.summary.suppressed).toBeGreaterThan(0);
    expect(one.diagnostics.map((d) => d.code)).toEqual(['MODIFIER_UNKNOWN', ...Array(12).fill('EVENT_INVALID_JSON')]);
    expect(new Set(one.matches.map((m) => m.rule))).toEqual(new Set([PROC_RULE_ID, ANY_RULE_ID]));
    const neutral = (s: ScanSummary): Partial<ScanSummary> => ({ ...s, workers: 0, seconds: 0, loadSeconds: 0, deferredLoadSeconds: 0, eventsPerSecond: 0 });
    for (const workers of [2, 3]) {
      const many = await run(workers);
      expect(many.summary.workers).toBe(workers);
      expect(many.matches).toEqual(one.matches);
      expect(many.diagnostics).toEqual(one.diagnostics);
      expect(neutral(many.summary)).toEqual(neutral(one.summary));
    }
  });

  it('threads by input size: one per minBytesPerThread of input beyond the first, up to workers; the same output', async () => {
    const { scan, reporters } = await compiled();
    const { rules, events } = bigFixture();
    const run = async (workers: number, minBytesPerThread?: number): Promise<{ matches: MatchRecord[]; summary: ScanSummary }> => {
      const matches: MatchRecord[] = [];
      const summary = await scan.scan({ rulePaths: [rules], eventPaths: [events], logsource: 'map', workers, ...(minBytesPerThread === undefined ? {} : { minBytesPerThread }), onMatch: (m) => matches.push(reporters.matchRecord(m)) });
      return { matches, summary };
    };
    const one = await run(1);
    // The fixture's events: tens of KB, far below the default share of a thread.
    expect(scan.MIN_BYTES_PER_THREAD).toBeGreaterThan(1 << 20);
    const small = await run(3);
    expect(small.summary.workers).toBe(1);
    expect(small.matches).toEqual(one.matches);
    // The input's bytes as the scan counts them (its event files; the .evtx file by its header and chunks in use).
    const { listEventFiles } = (await import(pathToFileURL(join(dist, 'src', 'event-files', 'list-event-files.js')).href)) as typeof import('../event-files/list-event-files.js');
    const files = listEventFiles([events]).files;
    expect(files.some((f) => f.endsWith('.evtx'))).toBe(true);
    const bytes = files.reduce((n, f) => n + (f.endsWith('.evtx') ? 4096 + 65536 : statSync(f).size), 0);
    expect(scan.matchingThreads(3, files, bytes)).toBe(2);
    expect(scan.matchingThreads(3, files, Math.floor(bytes / 2))).toBe(3);
    expect(scan.matchingThreads(3, files, bytes + 1)).toBe(1);
    expect(scan.matchingThreads(1, files, 1)).toBe(1);
    expect(scan.matchingThreads(2, files, 0)).toBe(2);
    // An .evtx file counts its header and the chunks it says are in use, not the unused ones
    // Windows preallocates at its end.
    const padded = join(events, 'nested', 'sysmon.evtx');
    appendFileSync(padded, Buffer.alloc(10 * 65536));
    expect(scan.matchingThreads(2, [padded], 4096 + 65536)).toBe(2);
    expect(scan.matchingThreads(2, [padded], 4096 + 65536 + 1)).toBe(1);
    // A named pipe's size is unknown (a stream may be long): every thread asked for.
    const pipeDir = mkdtempSync(join(tmpdir(), 'sigmatest-pipe-'));
    try {
      const pipe = join(pipeDir, 'stream.jsonl');
      execFileSync('mkfifo', [pipe]);
      expect(scan.matchingThreads(3, [pipe], Number.MAX_SAFE_INTEGER)).toBe(3);
    } finally {
      rmSync(pipeDir, { recursive: true, force: true });
    }
    const two = await run(3, bytes);
    expect(two.summary.workers).toBe(2);
    expect(two.matches).toEqual(one.matches);
  });

  it('the CLI prints the same report with --workers 2 as with --workers 1', () => {
    const { rules, events } = bigFixture();
    const cli = (workers: string, reporter: string): { code: number | null; stdout: string; stderr: string } => {
      const r = spawnSync(process.execPath, [join(root, 'bin', 'sigmatest.js'), 'scan', '--rules', rules, '--events', events, '--workers', workers, '--thread-input', '0', '--reporter', reporter], {
        encoding: 'utf8',
        cwd: root,
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    for (const reporter of ['jsonl', 'text']) {
      const one = cli('1', reporter);
      const two = cli('2', reporter);
      // 12 malformed lines: reported, the scan goes on, exit 1.
      expect(one.code).toBe(1);
      expect(two.code).toBe(1);
      const strip = (s: string): string => s.replace(/\d[\d,]*(\.\d+)? (s|events\/s)\b/g, '#').replace(/matched in the main thread|matched in 2 threads \(the main thread and 1 worker\)/, 'W');
      expect(strip(two.stdout)).toBe(strip(one.stdout));
      expect(two.stdout + two.stderr).toMatch(/matched in 2 threads \(the main thread and 1 worker\)/);
      expect(strip(two.stderr)).toBe(strip(one.stderr));
    }
  });
});

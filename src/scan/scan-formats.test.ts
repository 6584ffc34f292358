/**
 * One scan's output, whatever the input format and the number of threads (issue 24): real
 * recordings of attacks (`../shared/corpus/evtx-to-mitre-attack`, a sample of its `.evtx` files)
 * scanned with real rules (SigmaHQ's process creation, PowerShell and Security rules) as the
 * `.evtx` files themselves and as the JSON Lines `sigmatest events` makes of them, on one thread
 * and on two, report the same matches (rule, event as rules see it), in the same order, and the
 * same counts. Uses the compiled code (dist/, rebuilt when stale), as worker threads need it; the
 * corpora are read from ../shared and the test is skipped with a message when they are absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanSummary } from './scan.js';
import { DIST, prepareDist, REPO_ROOT } from '../../test/support/dist.js';

const EVTX = join(REPO_ROOT, '../shared/corpus/evtx-to-mitre-attack');
const SIGMA = join(REPO_ROOT, '../shared/corpus/sigmahq/rules/windows');
const skipReason = !existsSync(EVTX) || !existsSync(SIGMA) ? `${EVTX} or ${SIGMA} is absent` : prepareDist();
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

describe.skipIf(skipReason !== undefined)('scan output is the same whatever the input format and worker count (real events)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sigmatest-formats-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('.evtx and JSON Lines, 1 and 2 threads: the same matches in the same order, the same counts', { timeout: 240_000 }, async () => {
    const { scan } = (await import(pathToFileURL(join(DIST, 'src/scan/scan.js')).href)) as typeof import('./scan.js');
    // Every fifth file (57 files): process creations, PowerShell, Security.
    const files = evtxFiles(EVTX).filter((_, i) => i % 5 === 0);
    const converted = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/sigmatest.js'), 'events', ...files], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const jsonl = join(tmp, 'events.jsonl');
    writeFileSync(jsonl, converted.stdout);
    const rulePaths = ['process_creation', 'powershell', 'builtin/security'].map((d) => join(SIGMA, d));
    const run = async (eventPaths: string[], workers: number): Promise<{ matches: string[]; summary: ScanSummary }> => {
      const matches: string[] = [];
      const summary = await scan({
        rulePaths,
        eventPaths,
        logsource: 'map',
        workers,
        onMatch: (m) => matches.push(JSON.stringify([m.rule.id, m.rule.file, m.event])),
      });
      return { matches, summary };
    };
    const counts = (s: ScanSummary): unknown => ({ events: s.events, rules: s.rules, rulesFailed: s.rulesFailed, matches: s.matches, perRule: s.perRule });
    const reference = await run(files, 1);
    expect(reference.summary.events).toBeGreaterThan(1000);
    expect(reference.matches.length).toBeGreaterThan(50);
    for (const [paths, workers] of [[[jsonl], 1], [files, 2], [[jsonl], 2]] as const) {
      const other = await run([...paths], workers);
      expect(other.matches.length, `${paths === files ? '.evtx' : 'JSON Lines'}, ${workers} threads`).toBe(reference.matches.length);
      expect(other.matches).toEqual(reference.matches);
      expect(counts(other.summary)).toEqual(counts(reference.summary));
    }
  });
});

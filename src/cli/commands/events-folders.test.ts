/** `sigmatest events` takes folders as `scan` does (issue 22: it rejected them). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../main.js';
import { captureIo } from '../../../test/capture-io.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('sigmatest events', () => {
  it('walks a folder (sorted, nested), and a missing path is exit 2 with a located diagnostic', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sigmatest-events-'));
    dirs.push(d);
    mkdirSync(join(d, 'ev', 'sub'), { recursive: true });
    writeFileSync(join(d, 'ev', 'b.jsonl'), '{"n":2}\n');
    writeFileSync(join(d, 'ev', 'sub', 'a.json'), '[{"n":3}]');
    writeFileSync(join(d, 'ev', 'a.jsonl'), '{"n":1}\n');
    writeFileSync(join(d, 'ev', 'notes.txt'), 'not events');
    const io = captureIo({ cwd: d });
    expect(await runCli(['events', 'ev'], io)).toBe(0);
    expect(io.stdout().trim().split('\n').map((l) => (JSON.parse(l) as { n: number }).n)).toEqual([1, 2, 3]);
    expect(io.stderr()).toMatch(/events: 3 events from 3 files/);
    const missing = captureIo({ cwd: d });
    expect(await runCli(['events', 'nope'], missing)).toBe(2);
    expect(missing.stderr()).toMatch(/EVENT_PATH_NOT_FOUND/);
  });
});

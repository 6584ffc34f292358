/** The one progress line: texts of the scan and fuzz states, throttling, wiping, terminals only; the fuzz command draws it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { captureIo } from '../../test/capture-io.js';
import { ProgressLine, fuzzProgressText, progressBar, scanProgressText } from './progress-line.js';

describe('progress', () => {
  it('shows files done as a bar, events, rate, matches and the file name, cut to the width', () => {
    const p = { events: 123456, filesDone: 1, files: 4, matches: 7, seconds: 2, file: '/x/y/big.jsonl' };
    expect(scanProgressText(p, 200)).toBe('scan [█████░░░░░░░░░░░░░░░] 1/4 files · 123,456 events · 61,728 ev/s · 7 matches · big.jsonl');
    const cut = scanProgressText(p, 40);
    expect(cut).toHaveLength(40);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('redraws at most every 100 ms, wipes before other output, and does nothing when disabled', () => {
    let t = 1000;
    let written = '';
    const line = new ProgressLine((s) => void (written += s), true, scanProgressText, 200, () => t);
    const p = { events: 1, filesDone: 0, files: 1, matches: 0, seconds: 1 };
    line.update(p);
    line.update({ ...p, events: 2 });
    expect(written.match(/\r/g)).toHaveLength(1);
    t += 150;
    line.update({ ...p, events: 3 });
    expect(written).toMatch(/3 events/);
    written = '';
    line.clear();
    expect(written).toBe('\r\x1b[2K');
    line.clear();
    expect(written).toBe('\r\x1b[2K');
    written = '';
    line.note('loading rules…');
    expect(written).toBe('\r\x1b[2Kloading rules…');
    let off = '';
    const disabled = new ProgressLine((s) => void (off += s), false, scanProgressText);
    disabled.update(p);
    disabled.note('x');
    disabled.done();
    expect(off).toBe('');
  });
});

describe('fuzz progress', () => {
  it('fills the bar with rules done', () => {
    expect(fuzzProgressText({ done: 150, total: 300 }, 100)).toBe('fuzz [██████████░░░░░░░░░░] 150/300 rules');
    expect(fuzzProgressText({ done: 0, total: 0 }, 100)).toBe('fuzz [░░░░░░░░░░░░░░░░░░░░] 0/0 rules');
    expect(progressBar(2, 4)).toBe('[████]');
  });

  it('shows control characters of a file name escaped', () => {
    const p = { events: 1, filesDone: 0, files: 1, matches: 0, seconds: 1, file: '/x/evil\x1b]0;title\x07.jsonl' };
    expect(scanProgressText(p, 200)).toMatch(/evil\\x1b\]0;title\\x07\.jsonl$/);
  });
});

describe('fuzz command progress', () => {
  it('draws the shared progress line on a terminal and wipes it before the report', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sigmatest-progress-'));
    writeFileSync(join(d, 'a.yml'), "title: A\nlogsource: {category: test}\ndetection:\n  sel: {Image|endswith: '\\\\a.exe'}\n  condition: sel\n");
    const io = captureIo({ cwd: d, isTty: true });
    expect(await runCli(['fuzz', d, '--runs', '2', '--seed', '1'], io)).toBe(0);
    expect(io.stderr()).toMatch(/\r\x1b\[2Kfuzz \[█{20}\] 1\/1 rules\r\x1b\[2K$/);
  });
});

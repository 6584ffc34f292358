/**
 * --shard i/n splits rules by sorted file path so that the shards cover every rule once, and
 * merge-reports puts run and fuzz reports of the shards back together.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inShard, parseShard } from './shard.js';
import { runCli } from '../cli/main.js';
import { captureIo } from '../../test/capture-io.js';

const capture = () => captureIo();

describe('shards', () => {
  it('parses i/n and splits by sorted file, every item in exactly one shard', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/2', '3/2', 'x', '1/0']) expect(parseShard(bad)).toBeUndefined();
    const items = ['c', 'a', 'b', 'a', 'd'].map((file, i) => ({ file, i }));
    const shards = [1, 2, 3].map((index) => inShard(items, { index, count: 3 }));
    expect(shards.map((s) => s.map((x) => x.i).sort())).toEqual([[1, 3, 4].sort(), [2], [0]]);
    expect(shards.flat().length).toBe(items.length);
  });

  it('run, fuzz, scan and gate reject a bad --shard the same way (exit 2, one message)', async () => {
    const argvs = [['run'], ['fuzz', 'rules'], ['scan', '--rules', 'rules', '--events', 'samples/events.jsonl'], ['gate']];
    for (const argv of argvs) {
      const io = capture();
      expect(await runCli([...argv, '--shard', '3/2'], io)).toBe(2);
      expect(io.stderr()).toBe(`sigmatest ${argv[0] ?? ''}: --shard takes i/n with 1 <= i <= n (e.g. 2/4), not '3/2'\n`);
    }
  });

  it('run and fuzz shards merge back to the whole suite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigmatest-shard-'));
    const runs: string[] = [];
    const fuzzes: string[] = [];
    for (const s of ['1/2', '2/2']) {
      const run = capture();
      expect(await runCli(['run', '--shard', s, '--reporter', 'json'], run)).toBe(0);
      runs.push(join(dir, `run-${s[0]}.json`));
      writeFileSync(runs[runs.length - 1] as string, run.stdout());
      const fuzz = capture();
      await runCli(['fuzz', 'rules', '--shard', s, '--runs', '5', '--seed', '1', '--reporter', 'json'], fuzz);
      fuzzes.push(join(dir, `fuzz-${s[0]}.json`));
      writeFileSync(fuzzes[fuzzes.length - 1] as string, fuzz.stdout());
    }
    const whole = capture();
    await runCli(['run', '--reporter', 'json'], whole);
    const merged = capture();
    expect(await runCli(['merge-reports', ...runs, '--reporter', 'json'], merged)).toBe(0);
    const w = JSON.parse(whole.stdout());
    const m = JSON.parse(merged.stdout());
    expect(m.summary).toMatchObject({ rules: w.summary.rules, cases: w.summary.cases, passed: w.summary.passed, coverage: w.summary.coverage });
    expect(m.rules.map((r: { path: string }) => r.path).sort()).toEqual(w.rules.map((r: { path: string }) => r.path).sort());
    const mf = capture();
    await runCli(['merge-reports', ...fuzzes, '--reporter', 'json'], mf);
    expect(JSON.parse(mf.stdout()).summary.rules).toBe(w.summary.rules);
  });
});

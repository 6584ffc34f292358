/**
 * The rule cache never changes what a command prints: `run` and `scan` (JSON reporters, and what
 * they print on stderr) give the same output without the cache, cold (writing it) and warm
 * (reading it), on the bundled rules and a slice of SigmaHQ, and scan also with two threads.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDist, REPO_ROOT } from './support/dist.js';

const SIGMAHQ = join(REPO_ROOT, '../shared/corpus/sigmahq');
const SLICE = join(SIGMAHQ, 'rules/windows/process_creation');
const EVENTS = join(SIGMAHQ, 'regression_data/rules/windows/process_creation');
const cacheDir = mkdtempSync(join(tmpdir(), 'sigmatest-cache-output-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin/sigmatest.js'), ...args], { cwd: REPO_ROOT, env: { ...process.env, SIGMATEST_CACHE_DIR: cacheDir }, maxBuffer: 256 * 2 ** 20 }, (e, out, err) =>
      done({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : -1, out, err }),
    );
  });
}

/** The output without its timings (and the worker count, which is asked for). */
const untimed = (r: { code: number; out: string; err: string }): { code: number; out: string; err: string } => ({
  code: r.code,
  out: r.out.replace(/"(loadSeconds|deferredLoadSeconds|seconds|eventsPerSecond|workers)": ?[0-9.e+-]+/g, '"$1": 0'),
  err: r.err,
});

const packs = (): string[] => readdirSync(cacheDir).filter((n) => n.endsWith('.cache'));

describe('output with and without the rule cache', () => {
  it('run: the bundled suite', async () => {
    const problem = prepareDist();
    if (problem !== undefined) return console.warn(`skipped: ${problem}`);
    const args = ['run', '--rules', 'rules', '--cases', 'cases', '--reporter', 'json'];
    const without = await cli([...args, '--no-cache']);
    expect(packs()).toEqual([]);
    const cold = await cli(args);
    expect(packs().length).toBe(1);
    const warm = await cli(args);
    expect(JSON.parse(without.out)).toBeTruthy();
    expect(cold).toEqual(without);
    expect(warm).toEqual(without);
  }, 120_000);

  it('scan: the bundled rules and SigmaHQ process_creation rules over its regression events, one and two threads', async () => {
    const problem = prepareDist();
    if (problem !== undefined) return console.warn(`skipped: ${problem}`);
    if (!existsSync(SLICE) || !existsSync(EVENTS)) return console.warn(`skipped: ${SIGMAHQ} is absent`);
    const args = ['scan', '--rules', 'rules', SLICE, '--events', EVENTS, '--reporter', 'json'];
    const withoutTimed = await cli([...args, '--no-cache']);
    const without = untimed(withoutTimed);
    const cold = untimed(await cli(args));
    const warmTimed = await cli(args);
    const warm = untimed(warmTimed);
    // Warm, the plans of the rules the events reach are built while matching: reported as rule
    // loading, apart from the matching time; without the cache there is none.
    const deferred = (r: { out: string }): number => (JSON.parse(r.out) as { summary: { deferredLoadSeconds: number } }).summary.deferredLoadSeconds;
    expect(deferred(withoutTimed)).toBe(0);
    expect(deferred(warmTimed)).toBeGreaterThan(0);
    const warm2 = untimed(await cli([...args, '--workers', '2', '--thread-input', '0']));
    const parsed = JSON.parse(without.out) as { matches: unknown[]; summary: { rules: number } };
    expect(parsed.summary.rules).toBeGreaterThan(1000);
    expect(parsed.matches.length).toBeGreaterThan(50);
    expect(cold).toEqual(without);
    expect(warm).toEqual(without);
    expect(warm2).toEqual(without);
  }, 240_000);
});

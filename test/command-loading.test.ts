/**
 * Commands load only what they use: `sigmatest run` (any text reporter) on a suite without
 * properties and `scan` load neither the fuzzer nor the generators nor faker (0.3–0.4 s of
 * imports); a suite with properties loads the property runner and the generators (not the
 * fuzzer); the HTML report of `run`, which fuzzes every rule for its pages, loads the fuzzer too
 * (the positive control that shows the log sees them).
 * Measured on the compiled command in a child process, with module hooks logging every module
 * loaded (test/support/load-log).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDist, REPO_ROOT } from './support/dist.js';

const skip = prepareDist();
if (skip !== undefined) console.warn(`command-loading.test skipped: ${skip}`);

const tmp = mkdtempSync(join(tmpdir(), 'sigmatest-loading-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** The module URLs (relative to the repository, or bare package paths) that a command loads. */
function modulesLoaded(args: string[]): { status: number | null; modules: string[] } {
  const log = join(tmp, `load-${n++}.log`);
  const register = pathToFileURL(join(REPO_ROOT, 'test', 'support', 'load-log', 'register.mjs')).href;
  const r = spawnSync(process.execPath, ['--import', register, join(REPO_ROOT, 'bin', 'sigmatest.js'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, SIGMATEST_LOAD_LOG: log },
    timeout: 120_000,
  });
  const root = pathToFileURL(REPO_ROOT).href;
  const modules = readFileSync(log, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file:'))
    .map((u) => (u.startsWith(root) ? u.slice(root.length) : u));
  return { status: r.status, modules };
}

const FUZZING = /^dist\/src\/fuzz\/|^dist\/generators\/|@faker-js|fast-check/;

/** The bundled rules and case files with the case files' properties cut off: a suite of cases only. */
function suiteWithoutProperties(): string {
  const d = join(tmp, 'no-properties');
  mkdirSync(join(d, 'cases'), { recursive: true });
  cpSync(join(REPO_ROOT, 'rules'), join(d, 'rules'), { recursive: true });
  cpSync(join(REPO_ROOT, 'cases', 'data'), join(d, 'cases', 'data'), { recursive: true });
  for (const f of readdirSync(join(REPO_ROOT, 'cases')).filter((n) => n.endsWith('.yml'))) {
    const text = readFileSync(join(REPO_ROOT, 'cases', f), 'utf8');
    const cut = text.indexOf('\nproperties:\n');
    writeFileSync(join(d, 'cases', f), cut < 0 ? text : text.slice(0, cut + 1));
  }
  return d;
}

describe.skipIf(skip !== undefined)('commands load only what they use', () => {
  it('run on a suite without properties loads no fuzzer, generator, faker or fast-check module', () => {
    const d = suiteWithoutProperties();
    const r = modulesLoaded(['run', '--reporter', 'json', '--rules', join(d, 'rules'), '--cases', join(d, 'cases')]);
    expect(r.status).toBe(0);
    expect(r.modules).toContain('dist/src/cases/run-cases.js');
    expect(r.modules.filter((m) => FUZZING.test(m) || m.startsWith('dist/src/properties/'))).toEqual([]);
  });

  it('run on the bundled suite, which has properties, loads the property runner and the generators, not the fuzzer', () => {
    const r = modulesLoaded(['run', '--reporter', 'json']);
    expect(r.status).toBe(0);
    expect(r.modules).toContain('dist/src/properties/run-properties.js');
    expect(r.modules).toContain('dist/generators/mutations.js');
    expect(r.modules.some((m) => m.includes('@faker-js'))).toBe(true);
    expect(r.modules.filter((m) => m.startsWith('dist/src/fuzz/'))).toEqual([]);
  });

  it('scan loads none of them either', () => {
    const r = modulesLoaded(['scan', '--rules', 'rules', '--events', 'samples/events.jsonl']);
    expect(r.modules).toContain('dist/src/scan/scan.js');
    expect(r.modules.filter((m) => FUZZING.test(m))).toEqual([]);
  });

  it('the HTML report of run, which fuzzes every rule, does load them (the log sees them)', () => {
    const r = modulesLoaded(['run', '--reporter', 'html', '--out', join(tmp, 'html')]);
    expect(r.status).toBe(0);
    expect(r.modules.some((m) => m.startsWith('dist/src/fuzz/'))).toBe(true);
    expect(r.modules.some((m) => m.includes('@faker-js'))).toBe(true);
  });
});

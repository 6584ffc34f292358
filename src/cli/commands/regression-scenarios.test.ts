/**
 * `sigmatest regression` scenarios of issue 22: tests without data are named in the text output
 * (not only counted), an empty or mistaken root is exit 1 (nothing ran), and a rules folder that
 * is a symbolic link is followed.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../main.js';
import { captureIo } from '../../../test/capture-io.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-regression-'));
  dirs.push(d);
  return d;
};

const rule = (name: string, withData: boolean): string =>
  `title: ${name}\nid: 0a1b2c3d-0000-4000-8000-0000000000${withData ? '01' : '02'}\nlogsource: {product: windows, service: security}\ndetection:\n  sel:\n    EventID: 4624\n  condition: sel\nregression_tests_path: regression_data/${name}/info.yml\n`;

/** A repository root with two rules under `folder`: one with recorded data, one whose data is missing. */
function repo(folder: string): string {
  const root = temp();
  mkdirSync(join(root, folder));
  writeFileSync(join(root, folder, 'with_data.yml'), rule('with_data', true));
  writeFileSync(join(root, folder, 'no_data.yml'), rule('no_data', false));
  for (const name of ['with_data', 'no_data']) {
    mkdirSync(join(root, 'regression_data', name), { recursive: true });
    writeFileSync(join(root, 'regression_data', name, 'info.yml'), `regression_tests_info:\n  - name: ${name} test\n    type: evtx\n    match_count: 1\n    path: regression_data/${name}/${name}.evtx\n`);
  }
  writeFileSync(join(root, 'regression_data', 'with_data', 'with_data.json'), `${JSON.stringify({ Channel: 'Security', EventID: 4624 })}\n`);
  return root;
}

async function regression(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ cwd });
  const code = await runCli(['regression', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('sigmatest regression', () => {
  it('names every test without data; --require-data then exits 1', async () => {
    const root = repo('rules');
    let r = await regression(root, '.', '--reporter', 'text');
    expect(r.out).toMatch(/^PASS {2}rules\/with_data\.yml — with_data test/m);
    expect(r.out).toMatch(/without data \(1\):\n {2}rules\/no_data\.yml — no_data test: no event data for regression_data\/no_data\/no_data\.evtx/);
    expect(r.out).toMatch(/2 tests of 2 rules: 1 passed, 0 failed, 0 errors, 1 missing data/);
    expect(r.code).toBe(0);
    r = await regression(root, '.', '--reporter', 'text', '--require-data');
    expect(r.code).toBe(1);
  });

  it('an empty root, or one with no test, exits 1: nothing ran', async () => {
    const empty = temp();
    const r = await regression(empty, '.', '--reporter', 'text');
    expect(r.err).toMatch(/no regression test ran \(0 rules loaded, 0 without data\)/);
    expect(r.code).toBe(1);
  });

  it('follows a rules folder that is a symbolic link (recorded data stays inside the root)', async () => {
    const root = repo('store');
    symlinkSync(join(root, 'store'), join(root, 'rules'));
    const r = await regression(root, '.', '--reporter', 'text');
    expect(r.out).toMatch(/2 tests of 2 rules/);
    expect(r.out).toMatch(/^PASS {2}rules\/with_data\.yml/m);
  });
});

/**
 * `run` with a rule that fails while matching (simulated: the reference evaluator throws for the
 * rule whose selection is named 'broken_sel'): its cases and its properties are errors located at
 * the rule, the good rule beside it passes, and no stack trace reaches the user.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { captureIo } from './capture-io.js';
import type { MatchPlan } from '../src/plan/plan.js';

vi.mock('../src/evaluate/evaluate.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/evaluate/evaluate.js')>();
  const broken = (plan: MatchPlan): boolean => plan.identifiers.some((i) => i.name === 'broken_sel');
  return {
    ...real,
    evaluatePlan: (plan: MatchPlan, e: Parameters<typeof real.evaluatePlan>[1]): ReturnType<typeof real.evaluatePlan> => {
      if (broken(plan)) throw new RangeError('Maximum call stack size exceeded');
      return real.evaluatePlan(plan, e);
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'sigmatest-rule-failure-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rule = (id: string, ident: string): string =>
  `title: ${ident}\nid: ${id}\nlogsource: {category: process_creation, product: windows}\ndetection:\n  ${ident}:\n    Image|endswith: '\\whoami.exe'\n  condition: ${ident}\n`;
const cases = (id: string): string =>
  `rule: ${id}\ncases:\n  - name: whoami\n    expect: match\n    event: {Image: 'C:\\Windows\\whoami.exe'}\n  - name: other\n    expect: no-match\n    event: {Image: 'C:\\x.exe'}\nproperties:\n  - name: any folder\n    from: whoami\n    mutate: {Image: relocate}\n    expect: match\n`;

describe('run: a rule that fails while matching', () => {
  it('errs its cases and properties at the rule; the good rule passes', async () => {
    mkdirSync(join(dir, 'rules'), { recursive: true });
    mkdirSync(join(dir, 'cases'), { recursive: true });
    writeFileSync(join(dir, 'rules', 'a-broken.yml'), rule('0c0c0c0c-0000-4000-8000-000000000001', 'broken_sel'));
    writeFileSync(join(dir, 'rules', 'b-good.yml'), rule('0c0c0c0c-0000-4000-8000-000000000002', 'good_sel'));
    writeFileSync(join(dir, 'cases', 'a-broken.yml'), cases('0c0c0c0c-0000-4000-8000-000000000001'));
    writeFileSync(join(dir, 'cases', 'b-good.yml'), cases('0c0c0c0c-0000-4000-8000-000000000002'));
    const io = captureIo({ cwd: dir });
    const code = await runCli(['run', '--rules', 'rules', '--cases', 'cases', '--reporter', 'json'], io);
    expect(code).toBe(1); // a rule that fails while matching fails the run (as scan exits 1 on it); its input was readable
    expect(io.stderr()).not.toMatch(/at .*\.[jt]s:\d+/);
    const report = JSON.parse(io.stdout()) as { rules: Array<{ path: string; status: string; cases: { results: Array<{ status: string }> }; properties: Array<{ status: string; messages: string[] }> }> };
    const broken = report.rules.find((r) => r.path.endsWith('a-broken.yml'));
    const good = report.rules.find((r) => r.path.endsWith('b-good.yml'));
    expect(good?.status).toBe('pass');
    expect(good?.properties.map((p) => p.status)).toEqual(['pass']);
    expect(broken?.status).toBe('fail');
    expect(broken?.cases.results.map((c) => c.status)).toEqual(['error', 'error']);
    expect(broken?.properties.map((p) => p.status)).toEqual(['error']);
    expect(broken?.properties[0]?.messages.join(' ')).toMatch(/the rule failed while its properties ran: Maximum call stack size exceeded/);
  });
});

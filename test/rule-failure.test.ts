/**
 * One rule failing while matching (an engine bug, or a resource exhausted; simulated here: the
 * reference evaluator throws for the rule titled 'Broken') never takes the others down: scan
 * reports it once, located at the rule, with the first event it failed on, and goes on; eval says
 * it too; both exit non-zero.
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
    planMatches: (plan: MatchPlan, e: Parameters<typeof real.planMatches>[1]): boolean => {
      if (broken(plan)) throw new RangeError('Maximum call stack size exceeded');
      return real.planMatches(plan, e);
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'sigmatest-rule-failure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rule = (id: string, ident: string): string =>
  `title: ${ident}\nid: ${id}\nlogsource: {category: process_creation, product: windows}\ndetection:\n  ${ident}:\n    Image|endswith: '\\whoami.exe'\n  condition: ${ident}\n`;

describe('a rule that fails while matching', () => {
  mkdirSync(join(dir, 'rules'), { recursive: true });
  writeFileSync(join(dir, 'rules', 'a-broken.yml'), rule('0b0b0b0b-0000-4000-8000-000000000001', 'broken_sel'));
  writeFileSync(join(dir, 'rules', 'b-good.yml'), rule('0b0b0b0b-0000-4000-8000-000000000002', 'good_sel'));
  const ev = JSON.stringify({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\whoami.exe' });
  writeFileSync(join(dir, 'events.jsonl'), `${ev}\n${ev}\n${ev}\n`);

  it('scan: RULE_MATCH_FAILED once, at the rule, naming the event; the good rule matches every event', async () => {
    const io = captureIo({ cwd: dir });
    const code = await runCli(['scan', '--rules', 'rules', '--events', 'events.jsonl'], io);
    expect(code).toBe(1);
    const failures = io.stderr().split('\n').filter((l) => l.includes('RULE_MATCH_FAILED'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/a-broken\.yml:1:1: error RULE_MATCH_FAILED: the rule failed while matching the event at .*events\.jsonl:1: Maximum call stack size exceeded/);
    expect(io.stderr()).not.toMatch(/at .*\.[jt]s:\d+/);
    expect(io.stdout().trim().split('\n').map((l) => (JSON.parse(l) as { rule: string }).rule)).toEqual(Array(3).fill('0b0b0b0b-0000-4000-8000-000000000002'));
  });

  it('eval: the same, once', async () => {
    const io = captureIo({ cwd: dir });
    const code = await runCli(['eval', 'rules', '--events', 'events.jsonl'], io);
    expect(code).toBe(2);
    expect(io.stderr().split('\n').filter((l) => l.includes('RULE_MATCH_FAILED'))).toHaveLength(1);
    expect(io.stdout().trim().split('\n')).toHaveLength(3);
  });
});

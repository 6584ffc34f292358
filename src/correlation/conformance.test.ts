/**
 * The Sigma specification's own correlation and filter examples (v2.1: examples/correlation,
 * examples/filter, and the examples in the text of the correlation specification), each run on
 * an event stream written for it, with the alerts worked out by hand in the comments. The
 * examples name rules they do not define (`5638f7c0-…`, `recon_cmd_a`, `website_access`…): the
 * base rules are written here with those ids and names. Skipped with a message when
 * ../shared is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { correlate, ruleSetOf } from '../../test/support/correlation.js';
import type { CorrelationAlert } from './engine.js';
import { formatTime } from './event-time.js';
import { evaluatePlan } from '../evaluate/evaluate.js';

const SPEC = fileURLToPath(new URL('../../../shared/docs/sigma-specification/', import.meta.url));
const present = existsSync(SPEC);
if (!present) console.warn(`correlation conformance skipped: the Sigma specification is not at ${SPEC}`);

const example = (path: string): string => readFileSync(`${SPEC}${path}`, 'utf8');
/** A YAML code block of the correlation specification, by the heading it follows and its index under it. */
function specBlock(heading: string, index = 0): string {
  const md = example('sigma-correlation-rules-specification.md');
  const from = md.indexOf(heading);
  const blocks = [...md.slice(from).matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  return blocks[index] as string;
}

const T0 = Date.UTC(2024, 5, 3, 0, 0, 0);
const iso = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();
const base = (title: string, key: string, detection: string): string => `title: ${title}\n${key}\nlogsource: {product: test}\ndetection:\n  selection: ${detection}\n  condition: selection\n`;
const summary = (alerts: readonly CorrelationAlert[]): Array<[Record<string, unknown>, number, string, string]> => alerts.filter((a) => a.reported).map((a) => [a.group, a.value, formatTime(a.start), formatTime(a.end)]);

describe.runIf(present)('the correlation examples of the specification', () => {
  const FAILED = base('Failed login', 'id: 5638f7c0-ac70-491d-8465-2a65075e0d86', '{EventID: 4625}');

  it('event_count.yml: 100 failed logins on one computer within an hour', () => {
    const set = ruleSetOf({ 'event_count.yml': example('examples/correlation/event_count.yml'), 'base.yml': FAILED });
    expect(set.diagnostics).toEqual([]);
    const events = [
      // pc1: 100 logins 30 s apart (49 min 30 s): the 100th alerts.
      ...Array.from({ length: 100 }, (_, k) => ({ EventID: 4625, ComputerName: 'pc1', '@timestamp': iso(k * 30) })),
      // pc2: 99 only.
      ...Array.from({ length: 99 }, (_, k) => ({ EventID: 4625, ComputerName: 'pc2', '@timestamp': iso(k * 30 + 1) })),
      // pc3: 100, but 40 s apart: at most 91 within any hour (0 s .. 3600 s, both ends included).
      ...Array.from({ length: 100 }, (_, k) => ({ EventID: 4625, ComputerName: 'pc3', '@timestamp': iso(k * 40 + 2) })),
    ].sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']));
    const r = correlate(set, events);
    expect(summary(r.alerts)).toEqual([[{ ComputerName: 'pc1' }, 100, iso(0), iso(99 * 30)]]);
    expect(r.alerts[0]?.correlation.id).toBe('0e95725d-7320-415d-80f7-004da920fc11');
    expect(r.windows.filter((w) => !w.met).map((w) => [w.group, w.value])).toEqual([
      [{ ComputerName: 'pc2' }, 99],
      [{ ComputerName: 'pc3' }, 91],
    ]);
  });

  it('event_count_ecs.yml: grouped by a dotted ECS field of nested events', () => {
    const set = ruleSetOf({ 'ecs.yml': example('examples/correlation/event_count_ecs.yml'), 'base.yml': base('DNS', 'id: 5638f7c0-ac70-491d-8465-2a65075e0d86', "{dns.question.type: A}") });
    expect(set.diagnostics).toEqual([]);
    const q = (name: string, k: number) => ({ dns: { question: { name, type: 'A' } }, '@timestamp': iso(k) });
    const r = correlate(set, [...Array.from({ length: 100 }, (_, k) => q('evil.example', k * 10)), ...Array.from({ length: 50 }, (_, k) => q('good.example', k * 10 + 5))].sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp'])));
    expect(summary(r.alerts).map((a) => a[0])).toEqual([{ 'dns.question.name': 'evil.example' }]);
  });

  it('value_count.yml: 100 different users per computer and workstation within a day', () => {
    const set = ruleSetOf({ 'value_count.yml': example('examples/correlation/value_count.yml'), 'base.yml': FAILED });
    expect(set.diagnostics).toEqual([]);
    const ev = (ws: string, user: string, k: number) => ({ EventID: 4625, ComputerName: 'dc1', WorkstationName: ws, User: user, '@timestamp': iso(k * 60) });
    // ws1: 100 users once each (the 100th alerts); ws2: 150 attempts by 50 users; ws3: 100 users over 2 days.
    const events = [
      ...Array.from({ length: 100 }, (_, k) => ev('ws1', `u${k}`, k)),
      ...Array.from({ length: 150 }, (_, k) => ev('ws2', `u${k % 50}`, k)),
      ...Array.from({ length: 100 }, (_, k) => ({ ...ev('ws3', `u${k}`, 0), '@timestamp': iso(k * 1800) })),
    ].sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']));
    const r = correlate(set, events);
    expect(summary(r.alerts).map((a) => [a[0], a[1]])).toEqual([[{ ComputerName: 'dc1', WorkstationName: 'ws1' }, 100]]);
  });

  const recon = ['recon_cmd_a', 'recon_cmd_b', 'recon_cmd_c'].map((n, k) => base(n, `name: ${n}`, `{CommandLine: cmd${'abc'[k]}}`)).join('---\n');
  const cmd = (c: string, s: number, user = 'bob', host = 'pc1') => ({ CommandLine: `cmd${c}`, ComputerName: host, User: user, '@timestamp': iso(s) });

  it('temporal.yml: three recon commands in any order within 5 minutes, per computer and user', () => {
    const set = ruleSetOf({ 'temporal.yml': example('examples/correlation/temporal.yml'), 'recon.yml': recon });
    expect(set.diagnostics).toEqual([]);
    // bob@pc1: c, a, b within 3 min: alert (the correlation has no id: rule null). eve@pc1: a, b only. bob@pc2: a, b, then c 6 min after a.
    const r = correlate(set, [cmd('c', 0), cmd('a', 0, 'eve'), cmd('a', 60), cmd('a', 60, 'bob', 'pc2'), cmd('b', 120, 'eve'), cmd('b', 180), cmd('b', 200, 'bob', 'pc2'), cmd('c', 420, 'bob', 'pc2')]);
    expect(summary(r.alerts)).toEqual([[{ ComputerName: 'pc1', User: 'bob' }, 3, iso(0), iso(180)]]);
    expect(r.alerts[0]?.correlation.id).toBeUndefined();
  });

  it('temporal_ordered.yml: the same commands, only in the order a, b, c', () => {
    const set = ruleSetOf({ 'temporal_ordered.yml': example('examples/correlation/temporal_ordered.yml'), 'recon.yml': recon });
    expect(set.diagnostics).toEqual([]);
    // bob: c, a, b, c: the order a, b, c is there (a at 60, b at 180, c at 240). eve: b, a, c: not in order.
    const r = correlate(set, [cmd('c', 0), cmd('b', 0, 'eve'), cmd('a', 60), cmd('a', 60, 'eve'), cmd('b', 180), cmd('c', 200, 'eve'), cmd('c', 240)]);
    expect(summary(r.alerts)).toEqual([[{ ComputerName: 'pc1', User: 'bob' }, 3, iso(60), iso(240)]]);
    expect(r.windows.filter((w) => !w.met).map((w) => [w.group, w.orderBroken])).toEqual([[{ ComputerName: 'pc1', User: 'eve' }, true]]);
  });

  const web = (name: string, field: string) => base(name, `name: ${name}`, `{${field}: web}`);

  it('value_sum.yml: more than 1,000,000 bytes sent per source and user within an hour', () => {
    const set = ruleSetOf({ 'value_sum.yml': example('examples/correlation/value_sum.yml'), 'base.yml': web('website_access', 'kind') });
    expect(set.diagnostics).toEqual([]);
    const up = (ip: string, user: string, bytes: number, s: number) => ({ kind: 'web', SourceIP: ip, User: user, bytes_sent: bytes, '@timestamp': iso(s) });
    // a/bob: 400k + 400k + 300k = 1.1M in 50 min. a/eve: 1,000,000 exactly (gt, not gte). b/bob: 600k, then 600k 61 min later.
    const r = correlate(set, [up('a', 'bob', 400000, 0), up('a', 'eve', 500000, 0), up('b', 'bob', 600000, 0), up('a', 'bob', 400000, 1200), up('a', 'eve', 500000, 1200), up('a', 'bob', 300000, 3000), up('b', 'bob', 600000, 3660)]);
    expect(summary(r.alerts)).toEqual([[{ SourceIP: 'a', User: 'bob' }, 1100000, iso(0), iso(3000)]]);
  });

  it('value_avg.yml: more than 500 bytes out on average per source and user over 24 hours', () => {
    const set = ruleSetOf({ 'value_avg.yml': example('examples/correlation/value_avg.yml'), 'base.yml': web('rule_a_id', 'kind') });
    expect(set.diagnostics).toEqual([]);
    const out = (ip: string, user: string, bytes: number, s: number) => ({ kind: 'web', SourceIP: ip, User: user, BytesOut: bytes, '@timestamp': iso(s) });
    // a/bob: 900, 300 -> 600 > 500. a/eve: 1000, 0 -> 500, not more. The window closes 24 h after its first event (the end of input here).
    const r = correlate(set, [out('a', 'bob', 900, 0), out('a', 'eve', 1000, 0), out('a', 'bob', 300, 3600), out('a', 'eve', 0, 3600)]);
    expect(summary(r.alerts)).toEqual([[{ SourceIP: 'a', User: 'bob' }, 600, iso(0), iso(3600)]]);
  });

  it('value_percentile.yml: its field Image is not numeric, so no event counts (a warning); a numeric field works', () => {
    const set = ruleSetOf({ 'value_percentile.yml': example('examples/correlation/value_percentile.yml'), 'base.yml': base('process_creation', 'name: process_creation', '{EventID: 1}') });
    expect(set.diagnostics).toEqual([]);
    const r = correlate(set, [{ EventID: 1, ComputerName: 'pc1', Image: 'C:\\Windows\\explorer.exe', '@timestamp': iso(0) }]);
    expect(r.alerts).toEqual([]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['CORRELATION_VALUE_NOT_NUMERIC']);
    // The same correlation on a numeric field: the median (no percentile key) of 0, 1, 5 is 1, which is lte 1.
    const numeric = ruleSetOf({ 'p.yml': example('examples/correlation/value_percentile.yml').replace('field: Image', 'field: Rarity'), 'base.yml': base('process_creation', 'name: process_creation', '{EventID: 1}') });
    const n = correlate(numeric, [0, 1, 5].map((v, k) => ({ EventID: 1, ComputerName: 'pc1', Rarity: v, '@timestamp': iso(k) })));
    expect(summary(n.alerts)).toEqual([[{ ComputerName: 'pc1' }, 1, iso(0), iso(2)]]);
  });

  it('the chained example: multiple failed logins followed by a successful login (one file, names, a chain)', () => {
    const set = ruleSetOf({ 'mr_brute.yml': specBlock('### Failed Logins Followed by Successful Login') });
    expect(set.diagnostics).toEqual([]);
    expect(set.graph.correlations.map((c) => c.rule.title)).toEqual(['Multiple failed logons', 'Correlation - Multiple Failed Logins Followed by Successful Login']);
    const login = (id: number, user: string, s: number) => ({ EventID: id, User: user, '@timestamp': iso(s) });
    // bob: 10 failures (529 and 4625) in 4.5 min, then 528 (a success) at 5 min: alert. eve: 9 failures then a success.
    // mallory: a success, then 10 failures: the order is wrong.
    const events = [
      ...Array.from({ length: 10 }, (_, k) => login(k % 2 === 0 ? 4625 : 529, 'bob', k * 30)),
      login(528, 'bob', 300),
      ...Array.from({ length: 9 }, (_, k) => login(4625, 'eve', k * 30 + 1)),
      login(4624, 'eve', 301),
      login(4624, 'mallory', 2),
      ...Array.from({ length: 10 }, (_, k) => login(4625, 'mallory', k * 30 + 3)),
    ].sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']));
    const r = correlate(set, events);
    // The inner correlation (referred to without generate) alerts for bob and mallory, unreported.
    expect(r.alerts.map((a) => [a.correlation.name ?? a.correlation.title, a.group, a.reported])).toEqual([
      ['multiple_failed_login', { User: 'bob' }, false],
      ['multiple_failed_login', { User: 'mallory' }, false],
      ['Correlation - Multiple Failed Logins Followed by Successful Login', { User: 'bob' }, true],
    ]);
    expect(summary(r.alerts)).toEqual([[{ User: 'bob' }, 2, iso(270), iso(300)]]);
    expect([...set.graph.silenced].map((x) => x.title).sort()).toEqual(['Multiple failed logons', 'Single failed login', 'Successful login']);
  });

  it('the aliases example: an internal error and a connection between the same two addresses', () => {
    const rules = [specBlock('Rule internal_error'), specBlock('Rule new_network_connection')].map((r) => `title: ${r.includes('internal_error') ? 'Internal error' : 'New connection'}\nlogsource: {category: test}\n${r}`);
    const correlation = specBlock('The correlation rule\n').replace('title: —\nid: —\n', 'title: Error then connection\n');
    const set = ruleSetOf({ 'aliases.yml': [...rules, correlation].join('---\n') });
    expect(set.diagnostics).toEqual([]);
    const err = (src: string, dst: string, s: number) => ({ http: { response: { status_code: 500 } }, source: { ip: src }, destination: { ip: dst }, '@timestamp': iso(s) });
    const conn = (src: string, dst: string, s: number) => ({ event: { category: 'network', type: 'connection', outcome: 'success' }, source: { ip: src }, destination: { ip: dst }, '@timestamp': iso(s) });
    // The error's destination is the connection's source (internal_ip) and the reverse (remote_ip), within 10 s: 1 alert.
    // A connection with the addresses the same way round as the error's does not pair; one 11 s later neither.
    const r = correlate(set, [err('203.0.113.7', '10.0.0.20', 0), conn('203.0.113.7', '10.0.0.20', 2), conn('10.0.0.20', '203.0.113.7', 9), err('198.51.100.2', '10.0.0.21', 20), conn('10.0.0.21', '198.51.100.2', 31)]);
    expect(summary(r.alerts)).toEqual([[{ internal_ip: '10.0.0.20', remote_ip: '203.0.113.7' }, 2, iso(0), iso(9)]]);
  });
});

describe.runIf(present)('the filter examples of the specification', () => {
  const rar = `title: Data Compressed - rar.exe\nid: 6f3e2987-db24-4c78-a860-b4f4095a7095\nlogsource: {category: process_creation, product: windows}\ndetection:\n  selection: {Image|endswith: '\\rar.exe'}\n  condition: selection\n`;
  const jump = `title: Login on jump host\nid: df0841c0-9846-4e9f-ad8a-7df91571771b\nlogsource: {category: process_creation, product: windows}\ndetection:\n  selection: {Image|endswith: '\\mstsc.exe'}\n  condition: selection\n`;

  it("filter_1.yml as written ('condition: selection'): composed as pySigma does, it keeps only the adm_ events, with a warning", () => {
    const set = ruleSetOf({ 'rar.yml': rar, 'jump.yml': jump, 'filter_1.yml': example('examples/filter/filter_1.yml') });
    expect(set.diagnostics.map((d) => [d.code, d.pos?.line])).toEqual([['FILTER_CONDITION_NO_NOT', 12]]);
    for (const r of set.rules) {
      const exe = r.title.includes('rar') ? 'rar.exe' : 'mstsc.exe';
      expect(evaluatePlan(r.plan, { Image: `C:\\x\\${exe}`, User: 'adm_bob' }).match).toBe(true);
      expect(evaluatePlan(r.plan, { Image: `C:\\x\\${exe}`, User: 'bob' }).match).toBe(false);
    }
  });

  it("filter_1.yml with 'not selection': the administrator accounts are excluded from both rules", () => {
    const set = ruleSetOf({ 'rar.yml': rar, 'jump.yml': jump, 'filter_1.yml': example('examples/filter/filter_1.yml').replace('condition: selection', 'condition: not selection') });
    expect(set.diagnostics).toEqual([]);
    for (const r of set.rules) {
      expect(r.plan.stages.at(-1)).toMatchObject({ name: 'filter_1', exclusion: true });
      const exe = r.title.includes('rar') ? 'rar.exe' : 'mstsc.exe';
      expect(evaluatePlan(r.plan, { Image: `C:\\x\\${exe}`, User: 'adm_bob' }).match).toBe(false);
      expect(evaluatePlan(r.plan, { Image: `C:\\x\\${exe}`, User: 'bob' }).match).toBe(true);
    }
  });

  it('filter_ecs.yml: applies only to the named rules whose logsource is network/dns', () => {
    const dnsRule = (id: string, ls: string) => `title: DNS ${id.slice(0, 4)}\nid: ${id}\nlogsource: ${ls}\ndetection:\n  selection: {dns.question.name|endswith: .com}\n  condition: selection\n`;
    const set = ruleSetOf({
      'r1.yml': dnsRule('6f3e2987-db24-4c78-a860-b4f4095a7095', '{category: network, service: dns}'),
      'r2.yml': dnsRule('df0841c0-9846-4e9f-ad8a-7df91571771b', '{category: network, service: http}'),
      'filter_ecs.yml': example('examples/filter/filter_ecs.yml').replace('condition: selection', 'condition: not selection'),
    });
    expect(set.diagnostics.map((d) => [d.code, d.path])).toEqual([['FILTER_LOGSOURCE_MISMATCH', 'filter.rules[1]']]);
    const google = { dns: { question: { name: 'www.google.com' } } };
    const [r1, r2] = set.rules;
    expect(r1 !== undefined && evaluatePlan(r1.plan, google).match).toBe(false);
    expect(r2 !== undefined && evaluatePlan(r2.plan, google).match).toBe(true);
  });
});

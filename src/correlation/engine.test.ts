import { describe, expect, it } from 'vitest';
import { at, correlate, ruleSetOf, T0 } from '../../test/support/correlation.js';
import { CorrelationEngine, percentile } from './engine.js';
import type { CorrelationAlert } from './engine.js';
import { formatTime } from './event-time.js';

const FAILED = `
  title: Failed login
  id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
  name: failed_login
  logsource: {product: windows, service: security}
  detection:
    selection: {EventID: 4625}
    condition: selection
`;
const SUCCESS = `
  title: Successful login
  id: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
  name: successful_login
  logsource: {product: windows, service: security}
  detection:
    selection: {EventID: 4624}
    condition: selection
`;

/** A set of the failed/successful login rules and one correlation (YAML lines of its `correlation:` body). */
function setWith(correlationYaml: string) {
  return ruleSetOf({ 'rules.yml': `${FAILED}\n---\n${SUCCESS}\n---\n${correlationYaml}` });
}

const fail = (user: string, minutes: number, seconds = 0, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ EventID: 4625, User: user, '@timestamp': at(minutes, seconds), ...extra });
const ok = (user: string, minutes: number, seconds = 0, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ EventID: 4624, User: user, '@timestamp': at(minutes, seconds), ...extra });

function groups(alerts: readonly CorrelationAlert[]): Array<Record<string, unknown>> {
  return alerts.map((a) => a.group);
}

describe('loading for the engine', () => {
  it('a valid set has no diagnostics', () => {
    const set = setWith(`title: c\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 10m\n  condition: {gte: 3}\n`);
    expect(set.diagnostics).toEqual([]);
    expect(set.graph.correlations.map((c) => c.rule.title)).toEqual(['c']);
  });
});

describe('event_count, sliding windows', () => {
  const set = setWith(`title: c\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 10m\n  condition: {gte: 3}\n`);

  it('alerts per group when the count is reached within the timespan', () => {
    const r = correlate(set, [fail('bob', 0), fail('eve', 1), fail('bob', 2), fail('eve', 30), fail('bob', 4), fail('eve', 31)]);
    expect(groups(r.alerts)).toEqual([{ User: 'bob' }]);
    const a = r.alerts[0] as CorrelationAlert;
    expect([formatTime(a.start), formatTime(a.end), a.value]).toEqual([at(0), at(4), 3]);
    expect(a.events.map((e) => e.index)).toEqual([0, 2, 4]);
    expect(a.type).toBe('event_count');
    expect(a.inputs).toEqual(['failed_login']);
  });

  it('slides: events across any fixed bucket boundary count together', () => {
    // 10:08, 10:12, 10:17: a 10-minute bucket would split them; the window ending at 10:17 holds all three.
    const r = correlate(set, [fail('bob', 8), fail('bob', 12), fail('bob', 17)]);
    expect(r.alerts).toHaveLength(1);
  });

  it('both ends are inclusive: an event exactly one timespan after the first still counts', () => {
    expect(correlate(set, [fail('bob', 0), fail('bob', 5), fail('bob', 10)]).alerts).toHaveLength(1);
    expect(correlate(set, [fail('bob', 0), fail('bob', 5), fail('bob', 10, 0.001)]).alerts).toHaveLength(0);
  });

  it('after an alert the group starts again: consecutive alerts share no event', () => {
    const r = correlate(set, [0, 1, 2, 3, 4, 5, 6].map((m) => fail('bob', m)));
    expect(r.alerts.map((a) => a.events.map((e) => e.index))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it('events without the group-by field are not counted', () => {
    const r = correlate(set, [fail('bob', 0), { EventID: 4625, '@timestamp': at(1) }, fail('bob', 2)]);
    expect(r.alerts).toEqual([]);
  });

  it('a window without alert is recorded with the highest count reached', () => {
    const r = correlate(set, [fail('bob', 0), fail('bob', 1), fail('bob', 20)]);
    expect(r.windows.map((w) => [w.group, w.value, w.met, formatTime(w.start), formatTime(w.end)])).toEqual([
      [{ User: 'bob' }, 2, false, at(0), at(1)],
      [{ User: 'bob' }, 1, false, at(20), at(20)],
    ]);
  });

  it('groups on several fields (AND) and keeps the first event’s values', () => {
    const s = setWith(`title: c\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [User, Computer]\n  timespan: 10m\n  condition: {gte: 2}\n`);
    const r = correlate(s, [fail('bob', 0, 0, { Computer: 'a' }), fail('bob', 1, 0, { Computer: 'b' }), fail('bob', 2, 0, { Computer: 'a' }), fail('BOB', 3, 0, { Computer: 'a' })]);
    expect(groups(r.alerts)).toEqual([{ User: 'bob', Computer: 'a' }]);
    expect(r.alerts[0]?.events.map((e) => e.index)).toEqual([0, 2]);
  });

  it('numbers and their text are one group value', () => {
    const s = setWith(`title: c\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [LogonType]\n  timespan: 10m\n  condition: {gte: 2}\n`);
    const r = correlate(s, [fail('a', 0, 0, { LogonType: 3 }), fail('b', 1, 0, { LogonType: '3' })]);
    expect(groups(r.alerts)).toEqual([{ LogonType: 3 }]);
  });

  it('without group-by every event is one group', () => {
    const s = setWith(`title: c\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  timespan: 10m\n  condition: {gt: 2}\n`);
    expect(s.diagnostics.map((d) => d.code)).toEqual(['CORRELATION_GROUP_BY_MISSING']);
    expect(groups(correlate(s, [fail('a', 0), fail('b', 1), fail('c', 2)]).alerts)).toEqual([{}]);
  });
});

describe('closing windows: conditions decided at the end of the window', () => {
  it('lt: a group with fewer events than the threshold in its window', () => {
    const s = setWith(`title: c\ncorrelation:\n  type: event_count\n  rules: [successful_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {lt: 3}\n`);
    const r = correlate(s, [ok('bob', 0), ok('eve', 1), ok('eve', 2), ok('eve', 3), ok('bob', 10), ok('eve', 70)]);
    // bob: 2 in 10:00-11:00; eve: 3 in 10:01-11:01 (no), then 1 from 11:10.
    expect(r.alerts.map((a) => [a.group, a.value, formatTime(a.start), formatTime(a.end)])).toEqual([
      [{ User: 'bob' }, 2, at(0), at(10)],
      [{ User: 'eve' }, 1, at(70), at(70)],
    ]);
  });

  it('a window opens at the group’s first event and the next event after it opens the next', () => {
    const s = setWith(`title: c\ncorrelation:\n  type: event_count\n  rules: [successful_login]\n  group-by: [User]\n  timespan: 10m\n  condition: {eq: 2}\n`);
    const r = correlate(s, [ok('bob', 0), ok('bob', 10), ok('bob', 11), ok('bob', 12), ok('bob', 25)]);
    expect(r.alerts.map((a) => [formatTime(a.start), formatTime(a.end)])).toEqual([
      [at(0), at(10)],
      [at(11), at(12)],
    ]);
    expect(r.windows.filter((w) => !w.met).map((w) => [w.value, formatTime(w.start)])).toEqual([[1, at(25)]]);
  });

  it('neq and ranges', () => {
    const s = setWith(`title: c\ncorrelation:\n  type: event_count\n  rules: [successful_login]\n  group-by: [User]\n  timespan: 10m\n  condition: {gt: 1, lte: 3}\n`);
    const r = correlate(s, [ok('a', 0), ok('b', 0), ok('b', 1), ok('c', 0), ok('c', 1), ok('c', 2), ok('c', 3)]);
    expect(groups(r.alerts)).toEqual([{ User: 'b' }]);
    const n = setWith(`title: c\ncorrelation:\n  type: event_count\n  rules: [successful_login]\n  group-by: [User]\n  timespan: 10m\n  condition: {neq: 1}\n`);
    expect(groups(correlate(n, [ok('a', 0), ok('b', 0), ok('b', 1)]).alerts)).toEqual([{ User: 'b' }]);
  });
});

describe('value_count', () => {
  const set = setWith(`title: c\ncorrelation:\n  type: value_count\n  rules: [failed_login]\n  group-by: [IpAddress]\n  timespan: 5m\n  condition: {field: TargetUserName, gte: 3}\n`);
  const f = (ip: string, user: string | undefined, m: number): Record<string, unknown> => ({ EventID: 4625, IpAddress: ip, ...(user === undefined ? {} : { TargetUserName: user }), '@timestamp': at(m) });

  it('counts distinct values of the field per group', () => {
    const r = correlate(set, [f('1.1.1.1', 'a', 0), f('1.1.1.1', 'a', 1), f('1.1.1.1', 'b', 1), f('2.2.2.2', 'a', 1), f('1.1.1.1', undefined, 2), f('1.1.1.1', 'c', 3)]);
    expect(r.alerts.map((a) => [a.group, a.value, a.events.map((e) => e.index)])).toEqual([[{ IpAddress: '1.1.1.1' }, 3, [0, 1, 2, 5]]]);
  });

  it('values leave the window with their events', () => {
    const r = correlate(set, [f('1.1.1.1', 'a', 0), f('1.1.1.1', 'b', 1), f('1.1.1.1', 'c', 7)]);
    expect(r.alerts).toEqual([]);
  });

  it('a list of fields counts distinct combinations', () => {
    const s = setWith(`title: c\ncorrelation:\n  type: value_count\n  rules: [failed_login]\n  group-by: [IpAddress]\n  timespan: 5m\n  condition: {field: [TargetUserName, Port], gte: 2}\n`);
    const r = correlate(s, [
      { ...f('1.1.1.1', 'a', 0), Port: 1 },
      { ...f('1.1.1.1', 'a', 1), Port: 1 },
      { ...f('1.1.1.1', 'a', 2), Port: 2 },
    ]);
    expect(r.alerts.map((a) => a.value)).toEqual([2]);
  });
});

describe('temporal and temporal_ordered', () => {
  const recon = (name: string, cmd: string): string => `title: ${name}\nname: ${name}\nlogsource: {category: process_creation}\ndetection:\n  selection: {Image|endswith: '\\${cmd}.exe'}\n  condition: selection\n`;
  const files = (type: string, extra = ''): Record<string, string> => ({
    'recon.yml': [recon('recon_cmd_a', 'whoami'), recon('recon_cmd_b', 'ipconfig'), recon('recon_cmd_c', 'net'), `title: Recon\ncorrelation:\n  type: ${type}\n  rules: [recon_cmd_a, recon_cmd_b, recon_cmd_c]\n  group-by: [ComputerName, User]\n  timespan: 5m\n${extra}`].join('---\n'),
  });
  const cmd = (c: string, m: number, user = 'bob', host = 'pc1', seconds = 0): Record<string, unknown> => ({ Image: `C:\\Windows\\System32\\${c}.exe`, User: user, ComputerName: host, '@timestamp': at(m, seconds) });

  it('temporal: every rule within the timespan, in any order, per group', () => {
    const s = ruleSetOf(files('temporal'));
    expect(s.diagnostics).toEqual([]);
    const r = correlate(s, [cmd('net', 0), cmd('whoami', 1), cmd('net', 1, 'eve'), cmd('ipconfig', 2), cmd('whoami', 2, 'eve'), cmd('ipconfig', 9, 'eve')]);
    expect(r.alerts.map((a) => [a.group, a.value, a.events.map((e) => e.index)])).toEqual([[{ ComputerName: 'pc1', User: 'bob' }, 3, [0, 1, 3]]]);
    expect(r.alerts[0]?.inputs).toEqual(['recon_cmd_a', 'recon_cmd_b', 'recon_cmd_c']);
  });

  it('temporal: the latest hit of each rule counts (an early one that left the window does not)', () => {
    const s = ruleSetOf(files('temporal'));
    const r = correlate(s, [cmd('whoami', 0), cmd('ipconfig', 4), cmd('whoami', 6), cmd('net', 8)]);
    expect(r.alerts.map((a) => [formatTime(a.start), formatTime(a.end), a.events.map((e) => e.index)])).toEqual([[at(4), at(8), [1, 2, 3]]]);
  });

  it('temporal_ordered: only in the order of rules', () => {
    const s = ruleSetOf(files('temporal_ordered'));
    const kept = correlate(s, [cmd('whoami', 0), cmd('ipconfig', 1), cmd('net', 2)]);
    expect(kept.alerts.map((a) => a.value)).toEqual([3]);
    const broken = correlate(s, [cmd('ipconfig', 0), cmd('whoami', 1), cmd('net', 2)]);
    expect(broken.alerts).toEqual([]);
    expect(broken.windows.map((w) => [w.value, w.orderBroken])).toEqual([[1, true]]);
  });

  it('temporal_ordered: a later start that still fits wins over an early one that falls out', () => {
    const s = ruleSetOf(files('temporal_ordered'));
    // a@0 b@1 (chain starts 0), a@3 (new start 3), b@4, c@7: 0..7 is too long, 3..7 fits.
    const r = correlate(s, [cmd('whoami', 0), cmd('ipconfig', 1), cmd('whoami', 3), cmd('ipconfig', 4), cmd('net', 7)]);
    expect(r.alerts.map((a) => [formatTime(a.start), a.events.map((e) => e.index)])).toEqual([[at(3), [2, 3, 4]]]);
  });

  it('temporal_ordered: events of the same time are in stream order', () => {
    const s = ruleSetOf(files('temporal_ordered'));
    expect(correlate(s, [cmd('whoami', 0), cmd('ipconfig', 0), cmd('net', 0)]).alerts).toHaveLength(1);
    expect(correlate(s, [cmd('ipconfig', 0), cmd('whoami', 0), cmd('net', 0)]).alerts).toHaveLength(0);
  });

  it('temporal with a condition counts distinct rules', () => {
    const s = ruleSetOf(files('temporal', '  condition: {gte: 2}\n'));
    expect(correlate(s, [cmd('net', 0), cmd('whoami', 1)]).alerts.map((a) => a.value)).toEqual([2]);
  });
});

describe('value_sum, value_avg, value_percentile', () => {
  const web = `title: Web access\nname: website_access\nlogsource: {category: proxy}\ndetection:\n  selection: {cs-method: POST}\n  condition: selection\n`;
  const setOf = (corr: string) => ruleSetOf({ 'web.yml': `${web}---\n${corr}` });
  const post = (ip: string, bytes: unknown, m: number): Record<string, unknown> => ({ 'cs-method': 'POST', SourceIP: ip, bytes_sent: bytes, '@timestamp': at(m) });

  it('value_sum: the sum of the field within the sliding window', () => {
    const s = setOf(`title: Exfil\ncorrelation:\n  type: value_sum\n  rules: [website_access]\n  group-by: [SourceIP]\n  timespan: 1h\n  condition: {field: bytes_sent, gt: 1000}\n`);
    const r = correlate(s, [post('a', 400, 0), post('b', 900, 1), post('a', '500', 30), post('a', 200, 50), post('b', 200, 90)]);
    expect(r.alerts.map((a) => [a.group, a.value, formatTime(a.end)])).toEqual([[{ SourceIP: 'a' }, 1100, at(50)]]);
  });

  it('value_sum: a value that is not a number is not counted, with one warning', () => {
    const s = setOf(`title: Exfil\ncorrelation:\n  type: value_sum\n  rules: [website_access]\n  group-by: [SourceIP]\n  timespan: 1h\n  condition: {field: bytes_sent, gt: 1000}\n`);
    const r = correlate(s, [post('a', 'lots', 0), post('a', 900, 1), post('a', null, 2), post('a', 200, 3)]);
    expect(r.alerts.map((a) => a.value)).toEqual([1100]);
    expect(r.diagnostics.map((d) => [d.code, d.pos?.line])).toEqual([['CORRELATION_VALUE_NOT_NUMERIC', 1]]);
  });

  it('value_avg: the average over the whole window, decided when it closes', () => {
    const s = setOf(`title: Avg\ncorrelation:\n  type: value_avg\n  rules: [website_access]\n  group-by: [SourceIP]\n  timespan: 24h\n  condition: {field: bytes_sent, gt: 500}\n`);
    // a: 1000 then 0 -> 500 (not > 500); b: 2000 alone at first would pass, 0 and 100 bring it to 700.
    const r = correlate(s, [post('a', 1000, 0), post('b', 2000, 1), post('a', 0, 60), post('b', 0, 61), post('b', 100, 62)]);
    expect(r.alerts.map((a) => [a.group, a.value])).toEqual([[{ SourceIP: 'b' }, 700]]);
  });

  it('value_percentile: linear interpolation between closest ranks, median by default', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 90)).toBe(46);
    expect(percentile([7], 99)).toBe(7);
    const s = setOf(`title: P\ncorrelation:\n  type: value_percentile\n  rules: [website_access]\n  group-by: [SourceIP]\n  timespan: 1h\n  condition: {field: bytes_sent, percentile: 90, gte: 45}\n`);
    const r = correlate(s, [10, 20, 30, 40, 50].map((b, k) => post('a', b, k)));
    expect(r.alerts.map((a) => a.value)).toEqual([46]);
    const median = setOf(`title: P\ncorrelation:\n  type: value_percentile\n  rules: [website_access]\n  group-by: [SourceIP]\n  timespan: 1h\n  condition: {field: bytes_sent, lt: 25}\n`);
    expect(correlate(median, [10, 20, 30, 40].map((b, k) => post('a', b, k))).alerts).toEqual([]);
    expect(correlate(median, [10, 20, 30].map((b, k) => post('a', b, k))).alerts.map((a) => a.value)).toEqual([20]);
  });
});

describe('chains, aliases, generate', () => {
  it('chains: the spec example, failed logins followed by a successful login', () => {
    const s = ruleSetOf({
      'mr.yml': [
        `title: Many failed then success\nid: b180ead8-d58f-40b2-ae54-c8940995b9b6\ncorrelation:\n  type: temporal_ordered\n  rules: [multiple_failed_login, successful_login]\n  group-by: [User]\n  timespan: 10m\n`,
        `title: Multiple failed logons\nname: multiple_failed_login\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 10m\n  condition: {gte: 3}\n`,
        FAILED,
        SUCCESS,
      ].join('---\n'),
    });
    expect(s.diagnostics).toEqual([]);
    expect(s.graph.correlations.map((c) => c.rule.title)).toEqual(['Multiple failed logons', 'Many failed then success']);
    const r = correlate(s, [fail('bob', 0), fail('bob', 1), ok('bob', 2), fail('bob', 3), ok('eve', 3), ok('bob', 4), fail('eve', 4), fail('eve', 5), fail('eve', 6)]);
    expect(r.alerts.map((a) => [a.correlation.title, a.group, a.reported, a.events.map((e) => e.index)])).toEqual([
      ['Multiple failed logons', { User: 'bob' }, false, [0, 1, 3]],
      ['Many failed then success', { User: 'bob' }, true, [0, 1, 3, 5]],
      ['Multiple failed logons', { User: 'eve' }, false, [6, 7, 8]],
    ]);
  });

  it('aliases: one group-by name read from a different field per rule (the spec example)', () => {
    const s = ruleSetOf({
      'alias.yml': [
        `title: Internal error\nname: internal_error\nlogsource: {category: webserver}\ndetection:\n  selection: {http.response.status_code: 500}\n  condition: selection\n`,
        `title: New connection\nname: new_network_connection\nlogsource: {category: network}\ndetection:\n  selection: {event.category: network, event.type: connection, event.outcome: success}\n  condition: selection\n`,
        `title: Error then connection\ncorrelation:\n  type: temporal\n  rules: [internal_error, new_network_connection]\n  group-by: [internal_ip, remote_ip]\n  timespan: 10s\n  aliases:\n    internal_ip:\n      internal_error: destination.ip\n      new_network_connection: source.ip\n    remote_ip:\n      internal_error: source.ip\n      new_network_connection: destination.ip\n`,
      ].join('---\n'),
    });
    expect(s.diagnostics).toEqual([]);
    const err = (src: string, dst: string, sec: number) => ({ http: { response: { status_code: 500 } }, source: { ip: src }, destination: { ip: dst }, '@timestamp': at(0, sec) });
    const conn = (src: string, dst: string, sec: number) => ({ event: { category: 'network', type: 'connection', outcome: 'success' }, source: { ip: src }, destination: { ip: dst }, '@timestamp': at(0, sec) });
    const r = correlate(s, [err('203.0.113.9', '10.0.0.5', 0), conn('10.0.0.5', '203.0.113.9', 4), conn('203.0.113.9', '10.0.0.5', 5), err('198.51.100.1', '10.0.0.6', 20), conn('10.0.0.6', '198.51.100.1', 31)]);
    expect(r.alerts.map((a) => [a.group, a.events.map((e) => e.index)])).toEqual([[{ internal_ip: '10.0.0.5', remote_ip: '203.0.113.9' }, [0, 1]]]);
  });

  it('generate: referred rules are silenced unless every correlation referring to them generates', () => {
    const base = `${FAILED}---\n${SUCCESS}---\n`;
    const c = (name: string, generate: string) => `title: ${name}\nname: ${name}\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1m\n  condition: {gte: 2}\n${generate}`;
    const silent = ruleSetOf({ 'g.yml': `${base}${c('c1', '')}` });
    expect([...silent.graph.silenced].map((r) => r.title)).toEqual(['Failed login']);
    const loud = ruleSetOf({ 'g.yml': `${base}${c('c1', '  generate: true\n')}` });
    expect([...loud.graph.silenced]).toEqual([]);
    const top = ruleSetOf({ 'g.yml': `${base}${c('c1', 'generate: true\n')}` });
    expect([...top.graph.silenced]).toEqual([]);
    const mixed = ruleSetOf({ 'g.yml': `${base}${c('c1', '  generate: true\n')}---\n${c('c2', '')}` });
    expect([...mixed.graph.silenced].map((r) => r.title)).toEqual(['Failed login']);
  });
});

describe('event time', () => {
  const set = setWith(`title: c\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 10s\n  condition: {gte: 2}\n`);

  it('reads the first time field present, in the configured order', () => {
    const ev = (t: Record<string, unknown>) => ({ EventID: 4625, User: 'bob', ...t });
    // TimeCreated_SystemTime wins over @timestamp: the two events are 5 s apart, not 1 h.
    const r = correlate(set, [ev({ TimeCreated_SystemTime: '2024-01-15T10:00:00.1234567Z', '@timestamp': '2024-01-15T11:00:00Z' }), ev({ TimeCreated_SystemTime: '2024-01-15T10:00:05Z' })]);
    expect(r.alerts.map((a) => formatTime(a.start))).toEqual(['2024-01-15T10:00:00.123457Z']);
    const custom = correlate(set, [ev({ when: 1705312800 }), ev({ when: 1705312805000 })], { timeFields: ['when'] });
    expect(custom.alerts.map((a) => [formatTime(a.start), formatTime(a.end)])).toEqual([['2024-01-15T10:00:00.000Z', '2024-01-15T10:00:05.000Z']]);
  });

  it('an event without a usable time is a located error and is not counted', () => {
    const r = correlate(set, [fail('bob', 0), { EventID: 4625, User: 'bob' }, { EventID: 4625, User: 'bob', '@timestamp': 'yesterday' }, { EventID: 4624, User: 'bob' }]);
    expect(r.alerts).toEqual([]);
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.file, d.pos?.line])).toEqual([
      ['CORRELATION_EVENT_TIME', 'error', 'events.jsonl', 2],
      ['CORRELATION_EVENT_TIME', 'error', 'events.jsonl', 3],
    ]);
    expect(r.diagnostics[0]?.message).toMatch(/none of the time fields TimeCreated_SystemTime, @timestamp, UtcTime, timestamp/);
    expect(r.diagnostics[1]?.message).toMatch(/@timestamp "yesterday" is neither/);
  });
});

describe('out of order', () => {
  const set = setWith(`title: c\ncorrelation:\n  type: temporal_ordered\n  rules: [failed_login, successful_login]\n  group-by: [User]\n  timespan: 10m\n`);

  it('within the tolerance events are put in time order', () => {
    // The success is read before the failure that precedes it by 30 s.
    const r = correlate(set, [ok('bob', 1), fail('bob', 0, 30)], { toleranceMs: 60_000 });
    expect(r.alerts).toHaveLength(1);
    expect(r.diagnostics).toEqual([]);
  });

  it('beyond it they are not counted, with one warning per file', () => {
    const r = correlate(set, [fail('x', 0), ok('x', 30), fail('x', 31), fail('bob', 2), ok('bob', 3), fail('z', 4)], { toleranceMs: 60_000 });
    expect(r.alerts).toEqual([]);
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.pos?.line])).toEqual([['CORRELATION_EVENT_LATE', 'warning', 4]]);
    expect(r.diagnostics[0]?.message).toMatch(/^3 events of this file \(the first: event 3\)/);
  });
});

describe('memory', () => {
  const set = setWith(`title: c\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 10s\n  condition: {gte: 2}\n`);
  const rule = set.rules.find((r) => r.name === 'failed_login');

  it('a million groups: state is dropped once the timespan has passed', () => {
    let alerts = 0;
    const engine = new CorrelationEngine(set.graph, { toleranceMs: 1000, onAlert: () => alerts++, onDiagnostic: (d) => expect.fail(d.message) });
    let maxOpen = 0;
    const before = process.memoryUsage().heapUsed;
    const event: Record<string, unknown> = { User: '', '@timestamp': 0 };
    for (let i = 0; i < 1_000_000; i++) {
      event.User = `user${i}`;
      event['@timestamp'] = T0 + i * 100; // 10 events a second, each a new group
      engine.push(event, [rule as NonNullable<typeof rule>], { file: 'e', index: i });
      if (i % 10_000 === 0) maxOpen = Math.max(maxOpen, engine.openGroups);
    }
    const after = process.memoryUsage().heapUsed;
    engine.finish();
    expect(alerts).toBe(0);
    // 10 s of groups at 10 per second, plus 1 s of tolerance and the groups not yet expired.
    expect(maxOpen).toBeLessThanOrEqual(130);
    expect(engine.openGroups).toBe(0);
    expect(after - before).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);

  it('max_groups bounds the open groups; the oldest are dropped with one warning', () => {
    const codes: string[] = [];
    const engine = new CorrelationEngine(set.graph, { toleranceMs: 0, maxGroups: 100, onAlert: () => undefined, onDiagnostic: (d) => codes.push(d.code) });
    for (let i = 0; i < 1000; i++) engine.push({ User: `u${i}`, '@timestamp': T0 }, [rule as NonNullable<typeof rule>], { file: 'e', index: i });
    expect(engine.openGroups).toBe(100);
    expect(codes).toEqual(['CORRELATION_STATE_LIMIT']);
  });
});

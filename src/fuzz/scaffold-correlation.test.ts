import { describe, expect, it } from 'vitest';
import { builtinMapping } from '../logsource/logsource.js';
import { planMatches } from '../evaluate/evaluate.js';
import { ruleSetOf } from '../../test/support/correlation.js';
import { scaffoldCorrelationCases } from './scaffold-correlation.js';
import type { FullRuleSet, ResolvedCorrelation } from '../correlation/rule-set.js';

const RULES = `
title: SSH login failed
name: ssh_fail
logsource: {product: linux, service: sshd}
detection:
  selection: {program: sshd, outcome: failure}
  condition: selection
---
title: SSH login succeeded
name: ssh_ok
logsource: {product: linux, service: sshd}
detection:
  selection: {program: sshd, outcome: success}
  condition: selection
---
title: Outbound connection
name: port_conn
logsource: {category: firewall}
detection:
  selection: {action: allow, direction: outbound}
  condition: selection
---
title: Upload
name: upload
logsource: {category: proxy}
detection:
  selection: {method: POST}
  condition: selection
---
title: SSH brute force
name: ssh_bruteforce
correlation:
  type: event_count
  rules: [ssh_fail]
  group-by: [src_ip, user]
  timespan: 2m
  condition: {gte: 5}
---
title: SSH brute force then login
name: bruteforce_then_login
correlation:
  type: temporal_ordered
  rules: [ssh_bruteforce, ssh_ok]
  group-by: [src_ip, user]
  timespan: 5m
---
title: Port scan
name: port_scan
correlation:
  type: value_count
  rules: [port_conn]
  group-by: [src_ip]
  timespan: 1m
  condition: {field: dst_port, gte: 4}
---
title: Connection then login on the same host
name: conn_then_login
correlation:
  type: temporal
  rules: [port_conn, ssh_ok]
  group-by: [target]
  timespan: 1m
  aliases:
    target:
      port_conn: dst_ip
      ssh_ok: host_ip
---
title: Exfiltration volume
name: exfil
correlation:
  type: value_sum
  rules: [upload]
  group-by: [src_ip]
  timespan: 10m
  condition: {field: bytes, gt: 1000000}
---
title: Few uploads
name: few_uploads
correlation:
  type: event_count
  rules: [upload]
  group-by: [src_ip]
  timespan: 10m
  condition: {lt: 3}
---
title: Typical upload size
name: upload_p90
correlation:
  type: value_percentile
  rules: [upload]
  group-by: [src_ip]
  timespan: 10m
  condition: {field: bytes, percentile: 90, gte: 500}
`;

const set: FullRuleSet = ruleSetOf({ 'rules.yml': RULES });
const byName = (n: string): ResolvedCorrelation => set.graph.correlations.find((c) => c.rule.name === n) as ResolvedCorrelation;
const scaffold = (n: string) => scaffoldCorrelationCases(byName(n), set.graph, { mapping: builtinMapping, timeField: 'timestamp', caseFile: 'cases/x.yml' });
const rule = (n: string) => set.rules.find((r) => r.name === n);

describe('scaffold of a correlation: a sequence that alerts for one group and one that stays quiet', () => {
  it('the fixture loads without problems', () => {
    expect(set.diagnostics).toEqual([]);
  });

  it('event_count gte 5: five events of the group (and one of a second group) alert once; four stay quiet', () => {
    const s = scaffold('ssh_bruteforce');
    expect(s.skipped).toEqual([]);
    const [alerting, quiet] = s.cases;
    expect(alerting?.alerts).toEqual({ exactly: 1, groups: [{ src_ip: 'src_ip-1', user: 'user-1' }] });
    const fail = rule('ssh_fail');
    const inGroup = (g: number) => alerting?.events.filter((e) => e['src_ip'] === `src_ip-${g}` && e['user'] === `user-${g}` && fail !== undefined && planMatches(fail.plan, e)).length;
    expect([inGroup(1), inGroup(2), alerting?.events.length]).toEqual([5, 1, 6]);
    expect(quiet?.alerts).toEqual({ exactly: 0 });
    expect(quiet?.events.length).toBe(4);
    // In time order, inside the timespan.
    const times = alerting?.events.map((e) => Date.parse(String(e['timestamp']))) ?? [];
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeLessThanOrEqual(120_000);
  });

  // Generated values vary their letter case (the rules match case-insensitively): compared in lower case.
  it('a chain: the inner correlation alerts first, then the login; the quiet case puts the login before the brute force', () => {
    const s = scaffold('bruteforce_then_login');
    expect(s.skipped).toEqual([]);
    const [alerting, quiet] = s.cases;
    const outcomes = (evs: Array<Record<string, unknown>> | undefined) => evs?.filter((e) => e['src_ip'] === 'src_ip-1').map((e) => String(e['outcome']).toLowerCase());
    expect(outcomes(alerting?.events)).toEqual(['failure', 'failure', 'failure', 'failure', 'failure', 'success']);
    expect(outcomes(quiet?.events)).toEqual(['success', 'failure', 'failure', 'failure', 'failure', 'failure']);
    expect(quiet?.alerts).toEqual({ exactly: 0 });
  });

  it('value_count: distinct values of the field; aliases: each rule writes its own field', () => {
    const scan = scaffold('port_scan').cases[0];
    expect(new Set(scan?.events.filter((e) => e['src_ip'] === 'src_ip-1').map((e) => e['dst_port'])).size).toBe(4);
    const temporal = scaffold('conn_then_login').cases[0];
    const conn = temporal?.events.find((e) => String(e['action']).toLowerCase() === 'allow' && e['dst_ip'] === 'target-1');
    const login = temporal?.events.find((e) => String(e['outcome']).toLowerCase() === 'success' && e['host_ip'] === 'target-1');
    expect([conn !== undefined, login !== undefined, temporal?.alerts.groups]).toEqual([true, true, [{ target: 'target-1' }]]);
  });

  it('value types aim at the boundary: gt 1000000 alerts on 1000001 and is quiet on 1000000; percentile gte 500 on 500 and 499', () => {
    const exfil = scaffold('exfil');
    expect(exfil.cases.map((c) => c.events.filter((e) => e['src_ip'] === 'src_ip-1').map((e) => e['bytes']))).toEqual([[1000001], [1000000]]);
    const p90 = scaffold('upload_p90');
    expect(p90.cases.map((c) => c.events.filter((e) => e['src_ip'] === 'src_ip-1').map((e) => e['bytes']))).toEqual([[500], [499]]);
  });

  it('an upper bound (lt 3): a closing window of fewer events alerts, three stay quiet', () => {
    const s = scaffold('few_uploads');
    expect(s.skipped).toEqual([]);
    expect(s.cases.map((c) => [c.events.filter((e) => e['src_ip'] === 'src_ip-1').length, c.alerts.exactly])).toEqual([
      [1, 1],
      [3, 0],
    ]);
  });
});

/**
 * What issue 21 must show, through the command line: correlation documents and event streams
 * written here (every correlation type, a chain, aliases, group-by on several fields), run through
 * `sigmatest scan`, alert for exactly the expected groups (one thread and worker threads, the
 * events in order and shuffled within the out-of-order tolerance); and a filter document changes
 * the `scan` and `run` verdicts of exactly the rules it names.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { captureIo } from './capture-io.js';
import { execFileSync } from 'node:child_process';
import { prepareDist, REPO_ROOT } from './support/dist.js';

const dir = mkdtempSync(join(tmpdir(), 'sigmatest-correlations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2024, 2, 1, 8, 0, 0);
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

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
title: Recon whoami
name: recon_whoami
logsource: {category: process_creation, product: linux}
detection:
  selection: {exe|endswith: /whoami}
  condition: selection
---
title: Recon id
name: recon_id
logsource: {category: process_creation, product: linux}
detection:
  selection: {exe|endswith: /id}
  condition: selection
---
title: Recon uname
name: recon_uname
logsource: {category: process_creation, product: linux}
detection:
  selection: {exe|endswith: /uname}
  condition: selection
---
title: Upload
name: upload
logsource: {category: proxy}
detection:
  selection: {method: POST}
  condition: selection
---
title: API call
name: api_call
logsource: {category: webserver}
detection:
  selection: {path|startswith: /api/}
  condition: selection
---
title: DNS answer
name: dns_answer
logsource: {category: dns}
detection:
  selection: {rcode: NOERROR}
  condition: selection
---
title: SSH brute force
id: 7a6d0e1c-2f3b-4c5d-8e9f-0a1b2c3d4e5f
name: ssh_bruteforce
correlation:
  type: event_count
  rules: [ssh_fail]
  group-by: [src_ip, user]
  timespan: 2m
  condition: {gte: 5}
---
title: SSH brute force then login
id: 1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d
correlation:
  type: temporal_ordered
  rules: [ssh_bruteforce, ssh_ok]
  group-by: [src_ip, user]
  timespan: 5m
  generate: true
---
title: Port scan
id: 2c3d4e5f-6071-4b8c-9dae-1f2a3b4c5d6e
correlation:
  type: value_count
  rules: [port_conn]
  group-by: [src_ip]
  timespan: 1m
  condition: {field: dst_port, gte: 4}
---
title: Connection then SSH login on the same host
id: 3d4e5f60-7182-4c9d-aebf-2a3b4c5d6e7f
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
title: Recon burst
id: 4e5f6071-8293-4dae-bfc0-3b4c5d6e7f80
correlation:
  type: temporal
  rules: [recon_whoami, recon_id, recon_uname]
  group-by: [host, user]
  timespan: 5m
---
title: Exfiltration volume
id: 5f607182-93a4-4ebf-c0d1-4c5d6e7f8091
correlation:
  type: value_sum
  rules: [upload]
  group-by: [src_ip]
  timespan: 10m
  condition: {field: bytes, gt: 1000000}
---
title: Large API answers on average
id: 60718293-a4b5-4fc0-d1e2-5d6e7f8091a2
correlation:
  type: value_avg
  rules: [api_call]
  group-by: [user]
  timespan: 10m
  condition: {field: response_bytes, gt: 50000}
---
title: Slow resolver
id: 718293a4-b5c6-40d1-e2f3-6e7f8091a2b3
correlation:
  type: value_percentile
  rules: [dns_answer]
  group-by: [resolver]
  timespan: 1m
  condition: {field: latency_ms, percentile: 90, gte: 500}
`;

/** The stream, in time order: [seconds, event]. */
function stream(): Array<[number, Record<string, unknown>]> {
  const ev: Array<[number, Record<string, unknown>]> = [];
  const ssh = (t: number, outcome: string, src_ip: string, user: string, host_ip = '10.3.3.3'): void => void ev.push([t, { program: 'sshd', outcome, src_ip, user, host_ip }]);
  // Brute force from 10.0.0.5 as root, then a login: both correlations alert.
  for (const t of [0, 10, 20, 30, 40]) ssh(t, 'failure', '10.0.0.5', 'root');
  ssh(60, 'success', '10.0.0.5', 'root');
  // Four failures only, then a login: nothing.
  for (const t of [0, 10, 20, 30]) ssh(t + 5, 'failure', '10.0.0.6', 'admin');
  ssh(50, 'success', '10.0.0.6', 'admin');
  // Five failures, but never more than two within two minutes: nothing.
  for (const t of [0, 75, 150, 225, 300]) ssh(t + 1, 'failure', '10.0.0.5', 'alice');
  // Six failures from one address, three per user: group-by both fields, so nothing.
  for (const t of [0, 10, 20]) {
    ssh(t + 2, 'failure', '10.0.0.7', 'root');
    ssh(t + 3, 'failure', '10.0.0.7', 'bob');
  }
  const conn = (t: number, src_ip: string, dst_ip: string, dst_port: number): void => void ev.push([t, { action: 'allow', direction: 'outbound', src_ip, dst_ip, dst_port }]);
  // Four ports in 40 s from .50: a scan; .51 touches two ports only.
  [22, 80, 443, 3389].forEach((p, k) => conn(k * 10, '192.168.1.50', '10.9.9.9', p));
  [80, 80, 443, 443, 80].forEach((p, k) => conn(k * 10 + 1, '192.168.1.51', '10.9.9.9', p));
  // A connection to 10.1.1.1, then an SSH login on it 30 s later (aliases: dst_ip / host_ip); 10.1.1.2's login comes 100 s later.
  conn(200, '192.168.1.60', '10.1.1.1', 22);
  ssh(230, 'success', '192.168.1.60', 'ops', '10.1.1.1');
  conn(200, '192.168.1.61', '10.1.1.2', 22);
  ssh(300, 'success', '192.168.1.61', 'ops', '10.1.1.2');
  const proc = (t: number, exe: string, host: string, user: string): void => void ev.push([t, { exe: `/usr/bin/${exe}`, host, user }]);
  // All three on ws1 as bob within 5 min; eve misses one; ws2 is too slow.
  proc(0, 'whoami', 'ws1', 'bob');
  proc(60, 'id', 'ws1', 'bob');
  proc(120, 'uname', 'ws1', 'bob');
  proc(0, 'whoami', 'ws1', 'eve');
  proc(30, 'id', 'ws1', 'eve');
  proc(0, 'whoami', 'ws2', 'bob');
  proc(100, 'id', 'ws2', 'bob');
  proc(400, 'uname', 'ws2', 'bob');
  const post = (t: number, src_ip: string, bytes: number): void => void ev.push([t, { method: 'POST', src_ip, bytes }]);
  post(0, '172.16.0.9', 600000);
  post(300, '172.16.0.9', 500000);
  post(0, '172.16.0.10', 600000);
  post(700, '172.16.0.10', 500000);
  const api = (t: number, user: string, response_bytes: number): void => void ev.push([t, { path: '/api/v1/export', user, response_bytes }]);
  api(0, 'carol', 80000);
  api(60, 'carol', 40000);
  [100000, 1000, 1000, 1000].forEach((b, k) => api(k * 30, 'dave', b));
  const dns = (t: number, resolver: string, latency_ms: number): void => void ev.push([t, { rcode: 'NOERROR', resolver, query: 'example.org', latency_ms }]);
  [100, 200, 300, 900, 1000].forEach((l, k) => dns(k * 5, '8.8.8.8', l));
  [10, 20, 30, 40, 50, 60, 70, 80, 90, 1000].forEach((l, k) => dns(k * 5 + 1, '1.1.1.1', l));
  return ev.sort((a, b) => a[0] - b[0]);
}

/** Exactly the alerts the stream must give: [title, group]. */
const EXPECTED: Array<[string, Record<string, unknown>]> = [
  ['SSH brute force', { src_ip: '10.0.0.5', user: 'root' }],
  ['SSH brute force then login', { src_ip: '10.0.0.5', user: 'root' }],
  ['Port scan', { src_ip: '192.168.1.50' }],
  ['Connection then SSH login on the same host', { target: '10.1.1.1' }],
  ['Recon burst', { host: 'ws1', user: 'bob' }],
  ['Exfiltration volume', { src_ip: '172.16.0.9' }],
  ['Large API answers on average', { user: 'carol' }],
  ['Slow resolver', { resolver: '8.8.8.8' }],
];

function writeStream(name: string, events: Array<[number, Record<string, unknown>]>): string {
  const file = join(dir, name);
  writeFileSync(file, events.map(([t, e]) => JSON.stringify({ '@timestamp': at(t), ...e })).join('\n') + '\n');
  return file;
}

interface AlertLine {
  rule: string | null;
  correlation: string;
  title: string;
  group: Record<string, unknown>;
  start: string;
  end: string;
  value: number;
  events: Array<{ file: string; index: number }>;
}

async function scanAlerts(args: string[]): Promise<{ code: number; alerts: AlertLine[]; matches: number; stderr: string }> {
  const io = captureIo({ cwd: dir });
  const code = await runCli(['scan', '--logsource', 'ignore', ...args], io);
  const lines = io
    .stdout()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, alerts: lines.filter((l) => 'correlation' in l) as unknown as AlertLine[], matches: lines.filter((l) => !('correlation' in l)).length, stderr: io.stderr() };
}

const sorted = (xs: Array<[string, Record<string, unknown>]>): string[] => xs.map((x) => JSON.stringify(x)).sort();

describe('correlations through sigmatest scan', () => {
  writeFileSync(join(dir, 'rules.yml'), RULES.trimStart());
  const events = stream();
  const inOrder = writeStream('stream.jsonl', events);

  it('alert for exactly the expected groups, each once, as one JSON line with the issue’s keys', async () => {
    const r = await scanAlerts(['--rules', 'rules.yml', '--events', 'stream.jsonl']);
    expect(r.stderr).not.toMatch(/(error|warning) [A-Z_]+/);
    expect(r.code).toBe(0);
    expect(sorted(r.alerts.map((a) => [a.title, a.group]))).toEqual(sorted(EXPECTED));
    for (const a of r.alerts) expect(Object.keys(a).slice(0, 4)).toEqual(['rule', 'correlation', 'title', 'path']);
    for (const a of r.alerts) expect(Object.keys(a)).toEqual(expect.arrayContaining(['rule', 'correlation', 'group', 'start', 'end', 'value', 'events']));
    const byTitle = new Map(r.alerts.map((a) => [a.title, a]));
    // The contributing events are those of the stream (file and position).
    const idx = (pred: (e: Record<string, unknown>) => boolean): number[] => events.flatMap(([, e], k) => (pred(e) ? [k] : []));
    const brute = byTitle.get('SSH brute force') as AlertLine;
    expect(brute).toMatchObject({ rule: '7a6d0e1c-2f3b-4c5d-8e9f-0a1b2c3d4e5f', correlation: 'event_count', start: at(0), end: at(40), value: 5 });
    expect(brute.events.map((e) => e.index)).toEqual(idx((e) => e.src_ip === '10.0.0.5' && e.user === 'root' && e.outcome === 'failure'));
    expect(brute.events[0]?.file).toBe('stream.jsonl');
    expect(byTitle.get('SSH brute force then login')).toMatchObject({ correlation: 'temporal_ordered', end: at(60), value: 2 });
    expect(byTitle.get('SSH brute force then login')?.events.map((e) => e.index)).toEqual(idx((e) => e.src_ip === '10.0.0.5' && e.user === 'root'));
    expect(byTitle.get('Port scan')).toMatchObject({ correlation: 'value_count', value: 4, start: at(0), end: at(30) });
    expect(byTitle.get('Connection then SSH login on the same host')).toMatchObject({ correlation: 'temporal', start: at(200), end: at(230), value: 2 });
    expect(byTitle.get('Recon burst')).toMatchObject({ correlation: 'temporal', value: 3, start: at(0), end: at(120) });
    expect(byTitle.get('Exfiltration volume')).toMatchObject({ correlation: 'value_sum', value: 1100000, end: at(300) });
    expect(byTitle.get('Large API answers on average')).toMatchObject({ correlation: 'value_avg', value: 60000 });
    expect(byTitle.get('Slow resolver')).toMatchObject({ correlation: 'value_percentile', value: 960 });
    // Rules referred to without generate: true report nothing; the chain generates its inner correlation's alerts.
    expect(r.matches).toBe(0);
  });

  it('the same alerts from events out of order within the tolerance', async () => {
    // Each event moved up to 20 s earlier or later, the file no longer in time order.
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const shuffled = events.map(([t, e]) => [t, e, t + (rnd() - 0.5) * 40] as const).sort((a, b) => a[2] - b[2]);
    writeStream('shuffled.jsonl', shuffled.map(([t, e]) => [t, e]));
    const r = await scanAlerts(['--rules', 'rules.yml', '--events', 'shuffled.jsonl', '--time-tolerance', '1m']);
    expect(r.code).toBe(0);
    expect(sorted(r.alerts.map((a) => [a.title, a.group]))).toEqual(sorted(EXPECTED));
    // Without tolerance for it, events come too late and are left out (a warning, not silence).
    const strict = await scanAlerts(['--rules', 'rules.yml', '--events', 'shuffled.jsonl', '--time-tolerance', '0']);
    expect(strict.stderr).toMatch(/warning CORRELATION_EVENT_LATE: \d+ events? of this file/);
  });

  const noDist = prepareDist();
  it.skipIf(noDist !== undefined)('the same alerts with worker threads (state kept where results merge, in order)', async () => {
    const one = await scanAlerts(['--rules', 'rules.yml', '--events', inOrder]);
    // Worker threads run the compiled program.
    const out = execFileSync(process.execPath, [join(REPO_ROOT, 'bin', 'sigmatest.js'), 'scan', '--logsource', 'ignore', '--rules', 'rules.yml', '--events', inOrder, '--workers', '3'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const three = out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as AlertLine);
    expect(three).toEqual(one.alerts);
  });
});

describe('a filter document changes the verdicts of exactly the rules it names', () => {
  const root = join(dir, 'filters');
  mkdirSync(join(root, 'rules'), { recursive: true });
  mkdirSync(join(root, 'filters'), { recursive: true });
  mkdirSync(join(root, 'cases'), { recursive: true });
  const rule = (name: string, id: string, exe: string): string =>
    `title: ${name}\nid: ${id}\nname: ${name.toLowerCase().replace(/ /g, '_')}\nlogsource: {category: process_creation, product: windows}\ndetection:\n  selection: {Image|endswith: '\\${exe}'}\n  condition: selection\n`;
  const ids = { rar: '6f3e2987-db24-4c78-a860-b4f4095a7095', net: 'df0841c0-9846-4e9f-ad8a-7df91571771b', whoami: '0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9' };
  writeFileSync(join(root, 'rules', 'rar.yml'), rule('Rar archive', ids.rar, 'rar.exe'));
  writeFileSync(join(root, 'rules', 'net.yml'), rule('Net user', ids.net, 'net.exe'));
  writeFileSync(join(root, 'rules', 'whoami.yml'), rule('Whoami', ids.whoami, 'whoami.exe'));
  writeFileSync(
    join(root, 'filters', 'mf_admin_accounts.yml'),
    `title: Filter administrator accounts\nlogsource: {category: process_creation, product: windows}\nfilter:\n  rules:\n    - ${ids.rar}\n    - net_user\n  selection: {User|startswith: adm_}\n  condition: not selection\n`,
  );
  const evs = ['rar.exe', 'net.exe', 'whoami.exe'].flatMap((exe) => [
    { Image: `C:\\Windows\\${exe}`, User: 'adm_carol' },
    { Image: `C:\\Windows\\${exe}`, User: 'bob' },
  ]);
  writeFileSync(join(root, 'events.jsonl'), evs.map((e) => JSON.stringify(e)).join('\n') + '\n');
  for (const [key, exe] of [['rar', 'rar.exe'], ['net', 'net.exe'], ['whoami', 'whoami.exe']] as const) {
    writeFileSync(
      join(root, 'cases', `${key}.yml`),
      `rule: ${ids[key]}\ncases:\n  - name: admin\n    expect: match\n    event: {Image: 'C:\\Windows\\${exe}', User: adm_carol}\n  - name: user\n    expect: match\n    event: {Image: 'C:\\Windows\\${exe}', User: bob}\n`,
    );
  }

  const scanMatches = async (rules: string[]): Promise<string[]> => {
    const io = captureIo({ cwd: root });
    expect(await runCli(['scan', '--logsource', 'ignore', '--rules', ...rules, '--events', 'events.jsonl'], io)).toBe(0);
    return io
      .stdout()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { title: string; index: number })
      .map((m) => `${m.title}#${m.index}`);
  };

  it('scan: the admin events of the two named rules are no longer reported, the third rule is unchanged', async () => {
    const before = await scanMatches(['rules']);
    const after = await scanMatches(['rules', 'filters']);
    expect(before).toEqual(['Rar archive#0', 'Rar archive#1', 'Net user#2', 'Net user#3', 'Whoami#4', 'Whoami#5']);
    expect(after).toEqual(['Rar archive#1', 'Net user#3', 'Whoami#4', 'Whoami#5']);
  });

  it('run: the same cases now fail for exactly the named rules, at the filter stage', async () => {
    const run = async (rules: string[]): Promise<{ code: number; rows: Array<{ title: string; status: string; cases: { results: Array<{ name: string; status: string; messages: string[] }> } }> }> => {
      const io = captureIo({ cwd: root });
      const code = await runCli(['run', '--rules', ...rules, '--cases', 'cases', '--reporter', 'json'], io);
      return { code, rows: (JSON.parse(io.stdout()) as { rules: Array<{ title: string; status: string; cases: { results: Array<{ name: string; status: string; messages: string[] }> } }> }).rules };
    };
    const before = await run(['rules']);
    expect(before.code).toBe(0);
    expect(before.rows.map((r) => [r.title, r.status])).toEqual([
      ['Net user', 'pass'],
      ['Rar archive', 'pass'],
      ['Whoami', 'pass'],
    ]);
    const after = await run(['rules', 'filters']);
    expect(after.code).toBe(1);
    expect(after.rows.map((r) => [r.title, r.status, r.cases.results.map((c) => `${c.name}:${c.status}`).join(' ')])).toEqual([
      ['Net user', 'fail', 'admin:fail user:pass'],
      ['Rar archive', 'fail', 'admin:fail user:pass'],
      ['Whoami', 'pass', 'admin:pass user:pass'],
    ]);
    const why = after.rows[0]?.cases.results[0]?.messages ?? [];
    expect(why).toContain('mf_admin_accounts (exclusion): true because User starts with adm_ (case-insensitive)');
  });
});

import fc from 'fast-check';
import { isIPv4, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  EVENT_TIME_START,
  POWERSHELL_CHANNEL,
  SECURITY_CHANNEL,
  SYSMON_CHANNEL,
  formatUtcTime,
  generateEvents,
  sysmonEvent,
  sysmonEventWeights,
  windowsEvent,
  windowsEventWeights,
  windowsEventsById,
} from './events.js';
import type { GeneratedEvent } from './events.js';

const HEADER = ['EventID', 'Provider_Name', 'Channel', 'Computer', 'TimeCreated_SystemTime'];
const SYSMON = [...HEADER, 'RuleName', 'UtcTime'];
const PROC = ['ProcessGuid', 'ProcessId', 'Image', 'User'];

/** The exact field set per EventID. */
const FIELDS: Record<number, string[]> = {
  1: [...SYSMON, ...PROC, 'FileVersion', 'Description', 'Product', 'Company', 'OriginalFileName', 'CommandLine', 'CurrentDirectory',
    'LogonGuid', 'LogonId', 'TerminalSessionId', 'IntegrityLevel', 'Hashes', 'ParentProcessGuid', 'ParentProcessId', 'ParentImage',
    'ParentCommandLine', 'ParentUser'],
  3: [...SYSMON, ...PROC, 'Protocol', 'Initiated', 'SourceIsIpv6', 'SourceIp', 'SourceHostname', 'SourcePort', 'SourcePortName',
    'DestinationIsIpv6', 'DestinationIp', 'DestinationHostname', 'DestinationPort', 'DestinationPortName'],
  5: [...SYSMON, ...PROC],
  7: [...SYSMON, ...PROC, 'ImageLoaded', 'FileVersion', 'Description', 'Product', 'Company', 'OriginalFileName', 'Hashes', 'Signed',
    'Signature', 'SignatureStatus'],
  10: [...SYSMON, 'SourceProcessGUID', 'SourceProcessId', 'SourceThreadId', 'SourceImage', 'TargetProcessGUID', 'TargetProcessId',
    'TargetImage', 'GrantedAccess', 'CallTrace', 'SourceUser', 'TargetUser'],
  11: [...SYSMON, ...PROC, 'TargetFilename', 'CreationUtcTime'],
  12: [...SYSMON, ...PROC, 'EventType', 'TargetObject'],
  13: [...SYSMON, ...PROC, 'EventType', 'TargetObject', 'Details'],
  14: [...SYSMON, ...PROC, 'EventType', 'TargetObject', 'NewName'],
  15: [...SYSMON, ...PROC, 'TargetFilename', 'CreationUtcTime', 'Hash', 'Contents'],
  17: [...SYSMON, ...PROC, 'EventType', 'PipeName'],
  18: [...SYSMON, ...PROC, 'EventType', 'PipeName'],
  22: [...SYSMON, ...PROC, 'QueryName', 'QueryStatus', 'QueryResults'],
  23: [...SYSMON, ...PROC, 'TargetFilename', 'Hashes', 'IsExecutable', 'Archived'],
  26: [...SYSMON, ...PROC, 'TargetFilename', 'Hashes', 'IsExecutable'],
  4624: [...HEADER, 'SubjectUserSid', 'SubjectUserName', 'SubjectDomainName', 'SubjectLogonId', 'TargetUserSid', 'TargetUserName',
    'TargetDomainName', 'TargetLogonId', 'LogonType', 'LogonProcessName', 'AuthenticationPackageName', 'WorkstationName', 'LogonGuid',
    'TransmittedServices', 'LmPackageName', 'KeyLength', 'ProcessId', 'ProcessName', 'IpAddress', 'IpPort', 'ImpersonationLevel',
    'RestrictedAdminMode', 'TargetOutboundUserName', 'TargetOutboundDomainName', 'VirtualAccount', 'TargetLinkedLogonId', 'ElevatedToken'],
  4688: [...HEADER, 'SubjectUserSid', 'SubjectUserName', 'SubjectDomainName', 'SubjectLogonId', 'NewProcessId', 'NewProcessName',
    'TokenElevationType', 'ProcessId', 'CommandLine', 'TargetUserSid', 'TargetUserName', 'TargetDomainName', 'TargetLogonId',
    'ParentProcessName', 'MandatoryLabel'],
  4104: [...HEADER, 'MessageNumber', 'MessageTotal', 'ScriptBlockText', 'ScriptBlockId', 'Path'],
};

const EVTX_GUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const PATH = /^[A-Z]:\\[^\\]/i;
const HASHES = /^(?:(?:SHA1|MD5|SHA256|IMPHASH)=[0-9A-F]+,)*(?:SHA1|MD5|SHA256|IMPHASH)=[0-9A-F]+$/;
const DETAILS = /^(?:DWORD \(0x[0-9a-f]{8}\)|QWORD \(0x[0-9a-f]{8}-0x[0-9a-f]{8}\)|\(Empty\)|Binary Data|.+)$/s;

/**
 * The problems of one event (empty when fine): the exact field set per EventID and the shape of
 * every field rules look at. Plain checks rather than `expect`, so thousands of events check fast.
 */
function eventProblems(e: GeneratedEvent): string[] {
  const problems: string[] = [];
  const id = e['EventID'];
  const check = (ok: boolean, what: string): void => {
    if (!ok) problems.push(`EventID ${String(id)}: ${what}`);
  };
  const str = (k: string): string => {
    const v = e[k];
    check(typeof v === 'string', `${k} is not a string: ${JSON.stringify(v)}`);
    return typeof v === 'string' ? v : '';
  };
  const int = (k: string): number => {
    const v = e[k];
    check(typeof v === 'number' && Number.isInteger(v), `${k} is not an integer: ${JSON.stringify(v)}`);
    return typeof v === 'number' ? v : NaN;
  };
  const matches = (k: string, re: RegExp): void => {
    const v = str(k);
    check(re.test(v), `${k} = ${JSON.stringify(v)} does not match ${String(re)}`);
  };

  const fields = typeof id === 'number' ? FIELDS[id] : undefined;
  if (typeof id !== 'number' || fields === undefined) return [`unknown EventID ${JSON.stringify(id)}`];
  const keys = Object.keys(e).sort();
  const want = [...fields].sort();
  check(JSON.stringify(keys) === JSON.stringify(want), `fields ${keys.join(',')} instead of ${want.join(',')}`);
  for (const [k, v] of Object.entries(e)) check(v !== undefined && v !== null && !Number.isNaN(v), `${k} is empty`);

  if (id < 100) {
    check(e['Channel'] === SYSMON_CHANNEL && e['Provider_Name'] === 'Microsoft-Windows-Sysmon', 'not a Sysmon channel / provider');
    matches('UtcTime', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    check(e['RuleName'] === '-', 'RuleName');
  } else {
    check(e['Channel'] === (id === 4104 ? POWERSHELL_CHANNEL : SECURITY_CHANNEL), 'channel');
  }
  matches('TimeCreated_SystemTime', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  matches('Computer', /^[A-Z0-9-]{1,15}\.[a-z.]+$/);

  for (const k of ['ProcessGuid', 'ParentProcessGuid', 'LogonGuid', 'SourceProcessGUID', 'TargetProcessGUID', 'ScriptBlockId']) {
    if (k in e) matches(k, EVTX_GUID);
  }
  for (const k of ['ProcessId', 'ParentProcessId', 'SourceProcessId', 'TargetProcessId', 'SourceThreadId']) {
    if (k in e && id < 100) check(int(k) % 4 === 0, `${k} not a multiple of 4`);
  }
  for (const k of ['Image', 'ParentImage', 'SourceImage', 'TargetImage', 'ImageLoaded', 'TargetFilename', 'NewProcessName', 'ParentProcessName']) {
    if (k in e) matches(k, PATH);
  }
  for (const k of ['User', 'ParentUser', 'SourceUser', 'TargetUser']) if (k in e) matches(k, /^[^\\]+\\[^\\]+$/);
  if ('Hashes' in e) matches('Hashes', HASHES);

  switch (id) {
    case 1: {
      const logonIdValue = parseInt(str('LogonId'), 16);
      const tail = str('LogonGuid').replace(/-/g, '').slice(16, 24);
      const le = [0, 1, 2, 3].map((i) => ((logonIdValue >>> (8 * i)) & 0xff).toString(16).toUpperCase().padStart(2, '0')).join('');
      check(tail === le, `LogonGuid ${str('LogonGuid')} does not hold LogonId ${str('LogonId')}`);
      check(['Low', 'Medium', 'High', 'System'].includes(str('IntegrityLevel')), 'IntegrityLevel');
      if (e['User'] === 'NT AUTHORITY\\SYSTEM') check(e['LogonId'] === '0x3e7', 'SYSTEM LogonId');
      matches('CurrentDirectory', /\\$/);
      check(str('CommandLine').length > 0, 'CommandLine empty');
      break;
    }
    case 3: {
      const v6 = e['DestinationIsIpv6'];
      check(typeof v6 === 'boolean' && typeof e['Initiated'] === 'boolean', 'booleans');
      const ok = v6 === true ? isIPv6 : isIPv4;
      check(ok(str('SourceIp')) && ok(str('DestinationIp')), `IPs ${str('SourceIp')} ${str('DestinationIp')}`);
      check(int('DestinationPort') > 0 && int('SourcePort') >= 49152, 'ports');
      check(['tcp', 'udp'].includes(str('Protocol')), 'Protocol');
      break;
    }
    case 10:
      matches('GrantedAccess', /^0x[0-9a-f]+$/);
      matches('CallTrace', /^(?:[A-Z]:\\[^|+]+\+[0-9a-f]+\|)+[A-Z]:\\[^|+]+\+[0-9a-f]+$/i);
      break;
    case 12:
      check(['CreateKey', 'DeleteKey', 'DeleteValue'].includes(str('EventType')), 'EventType');
      matches('TargetObject', /^(?:HKLM|HKU|HKCR)\\/);
      break;
    case 13:
      check(e['EventType'] === 'SetValue', 'EventType');
      matches('TargetObject', /^(?:HKLM|HKU|HKCR)\\/);
      matches('Details', DETAILS);
      break;
    case 14:
      check(e['EventType'] === 'RenameKey', 'EventType');
      break;
    case 15:
      matches('TargetFilename', /:Zone\.Identifier$/);
      matches('Contents', /^\[ZoneTransfer\]\s+ZoneId=\d/);
      break;
    case 17:
    case 18:
      check(e['EventType'] === (id === 17 ? 'CreatePipe' : 'ConnectPipe'), 'EventType');
      break;
    case 22:
      if (e['QueryStatus'] === '0') matches('QueryResults', /^(?:type: {2}5 [^;]+;)?(?:::ffff:\d+\.\d+\.\d+\.\d+;)+$/);
      else check(e['QueryResults'] === '-', 'QueryResults of a failed query');
      break;
    case 23:
    case 26:
      check(typeof e['IsExecutable'] === 'boolean', 'IsExecutable');
      break;
    case 4624:
      check([2, 3, 4, 5, 7, 8, 9, 10, 11].includes(int('LogonType')), 'LogonType');
      matches('TargetUserSid', /^S-1-/);
      break;
    case 4688:
      matches('NewProcessId', /^0x[0-9a-f]+$/);
      matches('MandatoryLabel', /^S-1-16-\d+$/);
      break;
    case 4104:
      check(str('ScriptBlockText').length > 0, 'ScriptBlockText empty');
      break;
  }
  return problems;
}

describe('event arbitraries', () => {
  it('have the documented fields and shapes for every EventID', () => {
    for (const [id, arb] of windowsEventsById) {
      fc.assert(
        fc.property(arb, (e) => {
          expect(e['EventID']).toBe(id);
          expect(eventProblems(e)).toEqual([]);
        }),
        { numRuns: 40, seed: id },
      );
    }
  });

  it('sysmonEvent is Sysmon only; windowsEvent mixes in Security and PowerShell', () => {
    const sysmon = fc.sample(sysmonEvent, { seed: 1, numRuns: 300 });
    expect(sysmon.every((e) => e['Channel'] === SYSMON_CHANNEL)).toBe(true);
    expect(new Set(sysmon.map((e) => e['EventID'])).size).toBeGreaterThan(10);
    const all = fc.sample(windowsEvent, { seed: 2, numRuns: 400 });
    const channels = new Set(all.map((e) => e['Channel']));
    expect(channels).toEqual(new Set([SYSMON_CHANNEL, SECURITY_CHANNEL, POWERSHELL_CHANNEL]));
  });

  it('formatUtcTime writes Sysmon UtcTime', () => {
    expect(formatUtcTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02 03:04:05.678');
  });
});

describe('generateEvents', () => {
  const events = generateEvents(6000, 1);

  it('produces the EventID mix of the weights', () => {
    const counts = new Map<number, number>();
    for (const e of events) counts.set(e['EventID'] as number, (counts.get(e['EventID'] as number) ?? 0) + 1);
    const total = Object.values(windowsEventWeights).reduce((a, b) => a + b, 0);
    for (const [id, w] of Object.entries(windowsEventWeights)) {
      const share = (counts.get(Number(id)) ?? 0) / events.length;
      expect(share, `EventID ${id}`).toBeGreaterThan((w / total) * 0.6);
      expect(share, `EventID ${id}`).toBeLessThan((w / total) * 1.4 + 0.005);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(Object.keys(windowsEventWeights).map(Number).sort((a, b) => a - b));
  });

  it('gives every event the fields of its EventID', () => {
    expect(events.flatMap(eventProblems).slice(0, 10)).toEqual([]);
  });

  it('orders events in time, with UtcTime matching TimeCreated', () => {
    let last = '';
    const problems: string[] = [];
    for (const e of events) {
      const t = e['TimeCreated_SystemTime'] as string;
      if (t < last) problems.push(`${t} after ${last}`);
      last = t;
      if ('UtcTime' in e && e['UtcTime'] !== `${t.slice(0, 10)} ${t.slice(11, 23)}`) problems.push(`UtcTime ${String(e['UtcTime'])} vs ${t}`);
      if ('CreationUtcTime' in e && (e['CreationUtcTime'] as string) > (e['UtcTime'] as string)) problems.push('created after logged');
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect((events[0]?.['TimeCreated_SystemTime'] as string) >= new Date(EVENT_TIME_START).toISOString().slice(0, 19)).toBe(true);
  });

  it('is deterministic in the seed', () => {
    expect(generateEvents(400, 7)).toEqual(generateEvents(400, 7));
    const a = JSON.stringify(generateEvents(400, 7));
    const b = JSON.stringify(generateEvents(400, 8));
    expect(a).not.toBe(b);
  });

  it('follows custom weights and validates its arguments', () => {
    const sysmonOnly = generateEvents(500, 3, { weights: sysmonEventWeights });
    expect(sysmonOnly.every((e) => e['Channel'] === SYSMON_CHANNEL)).toBe(true);
    const only13 = generateEvents(200, 3, { weights: { 13: 1 } });
    expect(only13.every((e) => e['EventID'] === 13)).toBe(true);
    expect(generateEvents(0, 1)).toEqual([]);
    expect(() => generateEvents(-1, 1)).toThrow();
    expect(() => generateEvents(1.5, 1)).toThrow();
    expect(() => generateEvents(10, 1, { weights: { 9999: 1 } })).toThrow();
    expect(() => generateEvents(10, 1, { weights: { 1: 0 } })).toThrow();
  });

  it('returns fresh event objects', () => {
    const few = generateEvents(50, 4, { weights: { 5: 1 } });
    const first = few[0] as GeneratedEvent;
    first['Image'] = 'changed';
    expect(few.slice(1).some((e) => e['Image'] === 'changed')).toBe(false);
  });

  // Generation speed is a benchmark figure (npm run bench), not a timed test.
});

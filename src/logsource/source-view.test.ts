/**
 * The built-in field mappings of the Security events that serve Sysmon-named categories, each on
 * an event of the real shape (EventData names and value formats as Windows writes them: the 4688
 * events are from the evtx-to-mitre-attack set, the 4657 one from a lab write-up, 4663 and 5156
 * from Microsoft's event documentation), and the rule of unknown fields: a match through a view
 * never depends on a field the source does not record.
 */
import { describe, expect, it } from 'vitest';
import { builtinMapping, compileLogsourceFilter, compileSourceView, parseLogsourceMapping, mergeMappings } from './logsource.js';
import type { Logsource } from './logsource.js';
import { sourceApplies, viewEvent } from './source-view.js';
import { loadRuleText } from '../rules/load-rule.js';
import { sourceVerdict } from '../evaluate/source-verdict.js';
import { RuleIndex } from '../compile/rule-index.js';

const PROCESS_CREATION: Logsource = { category: 'process_creation', product: 'windows' };

function view(ls: Logsource, event: Record<string, unknown>): { event: Record<string, unknown>; unknown: string[] } | undefined {
  const v = compileSourceView(ls, builtinMapping)?.(event);
  return v === undefined ? undefined : { event: v.event, unknown: [...v.unknown].sort() };
}

const SYSTEM = { SubjectUserSid: 'S-1-5-18', SubjectUserName: 'SRVDEFENDER01$', SubjectDomainName: 'OFFSEC', SubjectLogonId: '0x3e7' };

/** Security 4688 version 2 of a process started as another user (Target account named). */
const E4688_TARGET = {
  Provider_Name: 'Microsoft-Windows-Security-Auditing', EventID: 4688, Version: 2, Channel: 'Security', Computer: 'fs01.offsec.lan',
  SubjectUserSid: 'S-1-5-18', SubjectUserName: 'FS01$', SubjectDomainName: 'OFFSEC', SubjectLogonId: '0x3e7',
  NewProcessId: '0x161c', NewProcessName: 'C:\\Windows\\System32\\TSTheme.exe', TokenElevationType: '%%1938', ProcessId: '0x28c',
  CommandLine: 'C:\\Windows\\system32\\TSTheme.exe -Embedding', TargetUserSid: 'S-1-5-21-4230534742-2542757381-3142984815-1111',
  TargetUserName: 'admmig', TargetDomainName: 'OFFSEC', TargetLogonId: '0x13b5e1e', ParentProcessName: 'C:\\Windows\\System32\\svchost.exe', MandatoryLabel: 'S-1-16-8192',
};
/** Security 4688 version 2 of a SYSTEM process (Target empty: the Subject's account, logged as the machine account). */
const E4688_SYSTEM = {
  Provider_Name: 'Microsoft-Windows-Security-Auditing', EventID: 4688, Version: 2, Channel: 'Security', ...SYSTEM,
  NewProcessId: '0xc24', NewProcessName: 'C:\\Windows\\PSEXESVC.exe', TokenElevationType: '%%1936', ProcessId: '0x238', CommandLine: 'C:\\Windows\\PSEXESVC.exe',
  TargetUserSid: 'S-1-0-0', TargetUserName: '-', TargetDomainName: '-', TargetLogonId: '0x0', ParentProcessName: 'C:\\Windows\\System32\\services.exe', MandatoryLabel: 'S-1-16-16384',
};
/** Security 4688 version 1 (Windows before 10 / 2016): no parent name, label or Target account. */
const E4688_V1 = {
  Provider_Name: 'Microsoft-Windows-Security-Auditing', EventID: 4688, Version: 1, Channel: 'Security',
  SubjectUserSid: 'S-1-5-21-4230534742-2542757381-3142984815-1111', SubjectUserName: 'admmig', SubjectDomainName: 'OFFSEC', SubjectLogonId: '0x83ef56',
  NewProcessId: '0xa0c', NewProcessName: 'C:\\Windows\\System32\\net.exe', TokenElevationType: '%%1937', ProcessId: '0x214', CommandLine: 'net  user administrator',
};

describe('Security 4688 seen by process_creation rules', () => {
  it('a process started as another user: the Target account, its session, the parent, hexadecimal ids as numbers, the label as Sysmon names it', () => {
    const v = view(PROCESS_CREATION, E4688_TARGET);
    expect(v?.event).toMatchObject({
      Image: 'C:\\Windows\\System32\\TSTheme.exe',
      ParentImage: 'C:\\Windows\\System32\\svchost.exe',
      CommandLine: 'C:\\Windows\\system32\\TSTheme.exe -Embedding',
      ProcessId: 0x161c,
      ParentProcessId: 0x28c,
      User: 'OFFSEC\\admmig',
      LogonId: '0x13b5e1e',
      IntegrityLevel: 'Medium',
      // The event's own fields stay (rules of the Security service read them).
      NewProcessName: 'C:\\Windows\\System32\\TSTheme.exe',
      TokenElevationType: '%%1938',
    });
    expect(v?.event['ProcessId']).toBe(5660);
    expect(v?.unknown).toEqual(['Company', 'CurrentDirectory', 'Description', 'FileVersion', 'Hashes', 'LogonGuid', 'OriginalFileName', 'ParentCommandLine', 'ParentProcessGuid', 'ParentUser', 'ProcessGuid', 'Product', 'RuleName', 'TerminalSessionId', 'UtcTime']);
  });

  it('a SYSTEM process: NT AUTHORITY\\SYSTEM (not the machine account), the SYSTEM session, System integrity', () => {
    expect(view(PROCESS_CREATION, E4688_SYSTEM)?.event).toMatchObject({ User: 'NT AUTHORITY\\SYSTEM', LogonId: '0x3e7', IntegrityLevel: 'System', ProcessId: 0xc24, ParentProcessId: 0x238 });
    const local = view(PROCESS_CREATION, { ...E4688_SYSTEM, TargetUserSid: 'S-1-5-19', TargetUserName: 'LOCAL SERVICE', TargetDomainName: 'NT AUTHORITY', TargetLogonId: '0x3e5' });
    expect(local?.event).toMatchObject({ User: 'NT AUTHORITY\\LOCAL SERVICE', LogonId: '0x3e5' });
    expect(view(PROCESS_CREATION, { ...E4688_SYSTEM, MandatoryLabel: 'S-1-16-12288' })?.event['IntegrityLevel']).toBe('High');
  });

  it('version 1: ParentImage and IntegrityLevel unknown, and the creator id is never read as the new process id', () => {
    const v = view(PROCESS_CREATION, E4688_V1);
    expect(v?.event).toMatchObject({ Image: 'C:\\Windows\\System32\\net.exe', User: 'OFFSEC\\admmig', LogonId: '0x83ef56', ProcessId: 0xa0c, ParentProcessId: 0x214 });
    expect(v?.event).not.toHaveProperty('ParentImage');
    expect(v?.event).not.toHaveProperty('IntegrityLevel');
    expect(v?.unknown).toEqual(expect.arrayContaining(['ParentImage', 'IntegrityLevel']));
    // Without NewProcessId the event's ProcessId (the creator's) must not pass for the new process's.
    const noId = view(PROCESS_CREATION, { ...E4688_V1, NewProcessId: undefined });
    expect(noId?.event).not.toHaveProperty('ProcessId');
    expect(noId?.unknown).toContain('ProcessId');
  });

  it('an empty command line (command-line auditing off) is unknown, not empty; a Low label (Low or AppContainer in Sysmon) is unknown', () => {
    expect(view(PROCESS_CREATION, { ...E4688_TARGET, CommandLine: '' })?.unknown).toContain('CommandLine');
    expect(view(PROCESS_CREATION, { ...E4688_TARGET, MandatoryLabel: 'S-1-16-4096' })?.unknown).toContain('IntegrityLevel');
  });

  it('applies to Security 4688 only: a Sysmon 1 event and a hand-written event without Channel and EventID are seen as they are', () => {
    expect(view(PROCESS_CREATION, { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\x.exe' })).toBeUndefined();
    expect(view(PROCESS_CREATION, { Image: 'C:\\x.exe' })).toBeUndefined();
    expect(view(PROCESS_CREATION, { EventID: 4688, NewProcessName: 'C:\\x.exe' })?.event['Image']).toBe('C:\\x.exe');
    expect(view({ product: 'windows', service: 'security' }, E4688_TARGET)).toBeUndefined();
  });
});

/** Security 4657 as Windows writes it (a lab's certutil/powershell changes of service parameters). */
const E4657 = {
  Provider_Name: 'Microsoft-Windows-Security-Auditing', EventID: 4657, Channel: 'Security',
  SubjectUserSid: 'S-1-5-21-666199682-1411342147-2938717855-1113', SubjectUserName: 'daenerys.targaryen', SubjectDomainName: 'ESSOS', SubjectLogonId: '0x89da2',
  ObjectName: '\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services\\Kdc', ObjectValueName: 'StrongCertificateBindingEnforcement', HandleId: '0xb70',
  OperationType: '%%1905', OldValueType: '%%1876', OldValue: '1', NewValueType: '%%1876', NewValue: '0', ProcessId: '0x60c',
  ProcessName: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
};

describe('Security 4657 seen by registry rules', () => {
  const SET: Logsource = { category: 'registry_set', product: 'windows' };
  it('a DWORD set: TargetObject with the HKLM root and the value name, Details as Sysmon writes a DWORD, EventType SetValue', () => {
    expect(view(SET, E4657)?.event).toMatchObject({
      EventType: 'SetValue',
      TargetObject: 'HKLM\\SYSTEM\\ControlSet001\\Services\\Kdc\\StrongCertificateBindingEnforcement',
      Details: 'DWORD (0x00000000)',
      Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      ProcessId: 0x60c,
      User: 'ESSOS\\daenerys.targaryen',
    });
    expect(view(SET, { ...E4657, NewValue: '1089' })?.event['Details']).toBe('DWORD (0x00000441)');
    expect(view(SET, { ...E4657, NewValueType: '%%1883', NewValue: '4294967297' })?.event['Details']).toBe('QWORD (0x00000001-0x00000001)');
  });
  it('a user hive string value: HKU\\<SID>, the text itself; an empty string is (Empty); binary data is Binary Data', () => {
    const run = { ...E4657, OperationType: '%%1904', ObjectName: '\\REGISTRY\\USER\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Run', ObjectValueName: 'Updater', NewValueType: '%%1873', NewValue: 'C:\\ProgramData\\update.exe' };
    expect(view(SET, run)?.event).toMatchObject({ TargetObject: 'HKU\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater', Details: 'C:\\ProgramData\\update.exe' });
    expect(view(SET, { ...run, NewValue: '' })?.event['Details']).toBe('(Empty)');
    expect(view(SET, { ...run, NewValueType: '%%1875', NewValue: '01 02' })?.event['Details']).toBe('Binary Data');
  });
  it('a deleted value is a registry_delete (DeleteValue) and registry_event event, not a registry_set one', () => {
    const deleted = { ...E4657, OperationType: '%%1906' };
    expect(view(SET, deleted)).toBeUndefined();
    expect(compileLogsourceFilter(SET, builtinMapping)(deleted)).toBe(false);
    expect(view({ category: 'registry_delete', product: 'windows' }, deleted)?.event['EventType']).toBe('DeleteValue');
    expect(view({ category: 'registry_event', product: 'windows' }, deleted)?.event['EventType']).toBe('DeleteValue');
    expect(view({ category: 'registry_event', product: 'windows' }, E4657)?.event['EventType']).toBe('SetValue');
  });
});

describe('Security 4663 on a file seen by file_access rules', () => {
  const ACCESS: Logsource = { category: 'file_access', product: 'windows' };
  // Microsoft's 4663 example, a file object.
  const E4663 = {
    Provider_Name: 'Microsoft-Windows-Security-Auditing', EventID: 4663, Channel: 'Security',
    SubjectUserSid: 'S-1-5-21-3457937927-2839227994-823803824-1104', SubjectUserName: 'dadmin', SubjectDomainName: 'CONTOSO', SubjectLogonId: '0x4367b',
    ObjectServer: 'Security', ObjectType: 'File', ObjectName: 'C:\\Documents\\HBI Data.txt', HandleId: '0x1bc', AccessList: '%%4417 %%4418', AccessMask: '0x6',
    ProcessId: '0x458', ProcessName: 'C:\\Windows\\System32\\notepad.exe', ResourceAttributes: 'S:AI',
  };
  it('FileName, Image, ProcessId, User', () => {
    expect(view(ACCESS, E4663)?.event).toMatchObject({ FileName: 'C:\\Documents\\HBI Data.txt', Image: 'C:\\Windows\\System32\\notepad.exe', ProcessId: 0x458, User: 'CONTOSO\\dadmin' });
  });
  it('a 4663 on a process object (Task Manager opening lsass, from the attack set) is no file access', () => {
    const proc = { ...E4663, ObjectType: 'Process', ObjectName: '\\Device\\HarddiskVolume4\\Windows\\System32\\lsass.exe', ProcessName: 'C:\\Windows\\System32\\Taskmgr.exe' };
    expect(view(ACCESS, proc)).toBeUndefined();
    expect(compileLogsourceFilter(ACCESS, builtinMapping)(proc)).toBe(false);
  });
});

describe('Security 5156 seen by network_connection rules', () => {
  const NET: Logsource = { category: 'network_connection', product: 'windows' };
  // Microsoft's 5156 example: an inbound connection accepted by listener.exe on port 3333.
  const INBOUND = {
    Provider_Name: 'Microsoft-Windows-Security-Auditing', EventID: 5156, Channel: 'Security',
    ProcessID: '4556', Application: '\\device\\harddiskvolume2\\documents\\listener.exe', Direction: '%%14592', SourceAddress: '10.0.0.10', SourcePort: '3333',
    DestAddress: '10.0.0.100', DestPort: '49278', Protocol: '6', FilterRTID: '70201', LayerName: '%%14610', LayerRTID: '44', RemoteUserID: 'S-1-0-0', RemoteMachineID: 'S-1-0-0',
  };
  it('inbound: the local end (WFP Source) is Sysmon\'s Destination, Initiated false, tcp', () => {
    const v = view(NET, INBOUND);
    expect(v?.event).toMatchObject({ ProcessId: 4556, Protocol: 'tcp', Initiated: 'false', DestinationIp: '10.0.0.10', DestinationPort: 3333, SourceIp: '10.0.0.100', SourcePort: 49278, SourceIsIpv6: 'false' });
    // The device path does not tell the drive: Image is unknown, not a wrong path.
    expect(v?.event).not.toHaveProperty('Image');
    expect(v?.unknown).toContain('Image');
  });
  it('outbound: WFP Source is Sysmon\'s Source, Initiated true; udp; IPv6', () => {
    const out = { ...INBOUND, Direction: '%%14593', SourceAddress: 'fe80::1', SourcePort: '50000', DestAddress: 'fe80::2', DestPort: '53', Protocol: '17' };
    expect(view(NET, out)?.event).toMatchObject({ Initiated: 'true', Protocol: 'udp', SourceIp: 'fe80::1', SourcePort: 50000, DestinationIp: 'fe80::2', DestinationPort: 53, DestinationIsIpv6: 'true' });
  });
});

/** A process_creation rule from its detection. */
function rule(detection: string): ReturnType<typeof loadRuleText>['rules'][number] {
  const r = loadRuleText(`title: t\nlogsource: {category: process_creation, product: windows}\ndetection:\n${detection}`, 'r.yml').rules[0];
  if (r === undefined) throw new Error('rule did not load');
  return r;
}

describe('a match through a view never depends on what the source does not record', () => {
  it('a rule on Image and User matches the 4688 event as it would the Sysmon 1 event', () => {
    const r = rule("  sel: {Image|endswith: '\\PSEXESVC.exe', User|contains: 'AUTHORI', ParentImage|endswith: '\\services.exe'}\n  condition: sel");
    expect(sourceVerdict(r.plan, r.logsource, builtinMapping)(E4688_SYSTEM)).toBe(true);
    expect(new RuleIndex([r], { mapping: builtinMapping }).matches(E4688_SYSTEM)).toEqual([r]);
    expect(new RuleIndex([r], { mapping: null, views: builtinMapping }).matches(E4688_SYSTEM)).toEqual([r]);
    // The event as it is has no Image: without the view the rule could never match it.
    expect(new RuleIndex([r], { mapping: null }).matches(E4688_SYSTEM)).toEqual([]);
  });

  it('an exclusion on a field 4688 does not record leaves the verdict open: no match (the Sysmon event may be excluded)', () => {
    const r = rule("  sel: {Image|endswith: '\\net.exe'}\n  filter: {OriginalFileName: 'net.exe'}\n  condition: sel and not filter");
    expect(sourceVerdict(r.plan, r.logsource, builtinMapping)(E4688_V1)).toBe(false);
    // On a Sysmon event the same rule decides from OriginalFileName.
    expect(sourceVerdict(r.plan, r.logsource, builtinMapping)({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\Windows\\System32\\net.exe', OriginalFileName: 'other.exe' })).toBe(true);
    // An alternative that holds on what 4688 records decides without the unknown field.
    const r2 = rule("  sel: [{Image|endswith: '\\net.exe'}, {OriginalFileName: 'net.exe'}]\n  condition: sel");
    expect(sourceVerdict(r2.plan, r2.logsource, builtinMapping)(E4688_V1)).toBe(true);
  });

  it('a field a version-1 event lacks (ParentImage) cannot make a match', () => {
    const r = rule("  sel: {Image|endswith: '\\net.exe'}\n  filter: {ParentImage|endswith: '\\explorer.exe'}\n  condition: sel and not filter");
    expect(sourceVerdict(r.plan, r.logsource, builtinMapping)(E4688_V1)).toBe(false);
    expect(sourceVerdict(r.plan, r.logsource, builtinMapping)({ ...E4688_V1, Version: 2, ParentProcessName: 'C:\\Windows\\System32\\cmd.exe' })).toBe(true);
  });
});

describe('field mappings in a user mapping file', () => {
  const text = `
logsources:
  - category: process_creation
    product: windows
    append: true
    sources:
      - channel: MyEDR
        eventId: 10
        where: {kind: [exec, spawn]}
        fields:
          Image: path
          ProcessId: {from: pid, transform: number}
          User: {from: [sid, domain, account], transform: account}
          Initiated: {from: dir, transform: values, values: {out: 'true'}}
          ParentImage:
            - {from: parent_path, when: {parent_known: 'yes'}}
        unavailable: [Hashes]
`;
  const parsed = parseLogsourceMapping(text, 'm.yml');
  const mapping = mergeMappings(builtinMapping, parsed.mapping);
  it('reads where, fields (copies, transforms, tables, conditions) and unavailable', () => {
    expect(parsed.diagnostics).toEqual([]);
    const ev = { Channel: 'MyEDR', EventID: 10, kind: 'spawn', path: 'C:\\a.exe', pid: '0x10', sid: 'S-1-5-18', dir: 'out', parent_path: 'C:\\p.exe', parent_known: 'no' };
    const v = compileSourceView(PROCESS_CREATION, mapping)?.(ev);
    expect(v?.event).toMatchObject({ Image: 'C:\\a.exe', ProcessId: 16, User: 'NT AUTHORITY\\SYSTEM', Initiated: 'true' });
    expect([...(v?.unknown ?? [])].sort()).toEqual(['Hashes', 'ParentImage']);
    expect(compileSourceView(PROCESS_CREATION, mapping)?.(ev)?.event).not.toHaveProperty('ParentImage');
    expect(sourceApplies(parsed.mapping.logsources[0]!.sources[0]!, { ...ev, kind: 'exit' })).toBe(false);
    expect(viewEvent(parsed.mapping.logsources[0]!.sources[0]!, { ...ev, parent_known: 'yes' }).event['ParentImage']).toBe('C:\\p.exe');
  });
  it('reports a bad transform, a wrong number of fields and a table without values, located', () => {
    const bad = parseLogsourceMapping(
      'logsources:\n  - category: x\n    sources:\n      - channel: A\n        fields:\n          A: {from: a, transform: rot13}\n          B: {from: [a, b], transform: registry-path}\n          C: {from: [a, b, c, d], transform: account}\n          D: {from: a, transform: values}\n',
      'bad.yml',
    );
    // B (two fields for registry-path) is right and not reported.
    expect(bad.diagnostics.map((d) => `${d.pos?.line}:${d.code}:${d.message}`)).toEqual([
      expect.stringMatching(/^6:LOGSOURCE_MAPPING_INVALID:unknown transform 'rot13'/),
      "8:LOGSOURCE_MAPPING_INVALID:field 'C': transform 'account' takes 3 fields, not 4 (a, b, c, d)",
      "9:LOGSOURCE_MAPPING_INVALID:field 'D': transform 'values' needs 'values', a table of source values to field values",
    ]);
  });
});

import fc from 'fast-check';
import { isIP, isIPv4 } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  builtinFieldNames,
  clearUserGenerators,
  fieldKind,
  generatorFor,
  isPathLike,
  registerGenerator,
  resolveGenerator,
} from './registry.js';

afterEach(() => clearUserGenerators());

const sample = (field: string, n = 30): string[] => fc.sample(generatorFor(field), { seed: 1, numRuns: n });

describe('built-in exact names', () => {
  const expected: Record<string, string> = {
    TargetObject: 'registry-key',
    Details: 'registry-details',
    Image: 'path',
    ParentImage: 'path',
    OriginalFileName: 'file-name',
    CommandLine: 'command-line',
    ParentCommandLine: 'command-line',
    TargetFilename: 'path',
    ImageLoaded: 'path',
    CurrentDirectory: 'path',
    DestinationIp: 'ip',
    SourceIp: 'ip',
    DestinationPort: 'port',
    DestinationHostname: 'hostname',
    QueryName: 'domain',
    User: 'user',
    Hashes: 'hash',
    ProcessGuid: 'guid',
    ScriptBlockText: 'script',
    ServiceName: 'name',
    ServiceFileName: 'path',
    TargetUserName: 'user',
    SubjectUserSid: 'sid',
    IpAddress: 'ip',
    Workstation: 'hostname',
    Computer: 'hostname',
    ProcessId: 'number',
    LogonId: 'hex',
    IntegrityLevel: 'enum',
  };

  it('picks the right kind for known names, case-insensitively', () => {
    for (const [name, kind] of Object.entries(expected)) {
      expect(fieldKind(name), name).toBe(kind);
      expect(fieldKind(name.toLowerCase()), name).toBe(kind);
      expect(fieldKind(name.toUpperCase()), name).toBe(kind);
      expect(resolveGenerator(name).source).toBe('exact');
    }
    expect(builtinFieldNames()).toEqual(expect.arrayContaining(Object.keys(expected)));
  });

  it('generates values of the right shape for them', () => {
    for (const v of sample('Image')) expect(v).toMatch(/^[A-Z]:\\.+\.exe$/i);
    for (const v of sample('ImageLoaded')) expect(v).toMatch(/\.dll$/i);
    for (const v of sample('DestinationIp')) expect(isIP(v)).not.toBe(0);
    for (const v of sample('SourceIp')) expect(isIP(v)).not.toBe(0);
    for (const v of sample('DestinationPort')) expect(Number(v)).toBeGreaterThan(0);
    for (const v of sample('TargetObject')) expect(v).toMatch(/^(?:HK|\\REGISTRY\\)/);
    for (const v of sample('Details')) expect(v.length).toBeGreaterThan(0);
    for (const v of sample('User')) expect(v).toContain('\\');
    for (const v of sample('TargetUserName')) expect(v).not.toContain('\\');
    for (const v of sample('SubjectUserSid')) expect(v).toMatch(/^S-1-/);
    for (const v of sample('ProcessGuid')) expect(v).toMatch(/^\{?[0-9a-fA-F]{8}-/);
    for (const v of sample('Hashes')) expect(v).toMatch(/^(?:SHA1|MD5|SHA256|IMPHASH)=/);
    for (const v of sample('ProcessId')) expect(Number(v) % 4).toBe(0);
    for (const v of sample('CurrentDirectory')) expect(v.endsWith('\\')).toBe(true);
  });
});

describe('heuristics and fallback', () => {
  it('classifies unknown names by their suffixes', () => {
    const cases: Record<string, string> = {
      ParentProcessPath: 'path',
      SomeImage: 'path',
      LogFile: 'path',
      ArchiveFileName: 'path',
      InstallDirectory: 'path',
      RemoteAddress: 'ip',
      ServerIp: 'ip',
      ListenPort: 'port',
      SessionGuid: 'guid',
      OwnerSid: 'sid',
      OwnerUserName: 'user',
      RemoteHostname: 'hostname',
      ComputerDnsName: 'hostname',
      ChildCommandLine: 'command-line',
      FileHashValue: 'hash',
      CallbackUrl: 'url',
      LinkedLogonId: 'hex',
      ChildProcessId: 'number',
      RegistryKeyPath: 'registry-key',
      'process.command_line': 'command-line',
      dst_port: 'port',
      src_ip: 'ip',
      'file.target_path': 'path',
      user_name: 'user',
    };
    for (const [name, kind] of Object.entries(cases)) {
      expect(fieldKind(name), name).toBe(kind);
      expect(resolveGenerator(name).source, name).toBe('heuristic');
    }
    for (const v of fc.sample(generatorFor('RemoteAddress'), { seed: 2, numRuns: 30 })) expect(isIP(v)).not.toBe(0);
  });

  it('falls back to short text for anything else', () => {
    for (const name of ['Foo', 'MacAddress', 'Severity', 'x', 'Report', 'Ownership', 'Profile', 'Curl']) {
      const r = resolveGenerator(name);
      expect(r.kind, name).toBe('text');
      expect(r.source, name).toBe('fallback');
    }
    const values = sample('Foo', 100);
    for (const v of values) {
      expect(v.length).toBeGreaterThan(0);
      expect(v.length).toBeLessThan(60);
    }
    expect(new Set(values).size).toBeGreaterThan(30);
  });

  it('ignores Sigma modifiers and tries the last segment of dotted names', () => {
    expect(fieldKind('CommandLine|contains|all')).toBe('command-line');
    expect(fieldKind('Event.EventData.Image')).toBe('path');
    expect(fieldKind('winlog.event_data.TargetFilename')).toBe('path');
  });

  it('tells path-like fields', () => {
    expect(isPathLike('Image')).toBe(true);
    expect(isPathLike('TargetFilename')).toBe(true);
    expect(isPathLike('OriginalFileName')).toBe(true);
    expect(isPathLike('DestinationIp')).toBe(false);
    expect(isPathLike('CommandLine')).toBe(false);
  });
});

describe('user registrations', () => {
  it('override built-ins for exact names, and can be removed', () => {
    const remove = registerGenerator('image', fc.constant('X:\\custom.exe'), { kind: 'custom-path' });
    expect(sample('Image', 5)).toEqual(Array(5).fill('X:\\custom.exe'));
    expect(fieldKind('IMAGE')).toBe('custom-path');
    expect(resolveGenerator('Image').source).toBe('user');
    remove();
    expect(fieldKind('Image')).toBe('path');
  });

  it('later registrations win, and patterns match new fields', () => {
    registerGenerator(/^Acme/, fc.constant('first'));
    registerGenerator(/Id$/g, fc.constant('second'), { kind: 'acme-id' });
    expect(sample('AcmeTicket', 3)).toEqual(['first', 'first', 'first']);
    // The global flag must not make matching stateful.
    for (let i = 0; i < 3; i++) expect(fieldKind('AcmeTicketId')).toBe('acme-id');
    expect(fieldKind('ProcessId')).toBe('acme-id');
    registerGenerator('AcmeTicketId', fc.constant('third'), { kind: 'ticket' });
    expect(fieldKind('AcmeTicketId')).toBe('ticket');
    expect(fieldKind('acmeother')).toBe('text'); // the RegExp is case-sensitive as given
    expect(resolveGenerator('AcmeOther').kind).toBe('custom');
  });

  it('default to kind "custom" and do not leak between tests', () => {
    expect(fieldKind('AcmeTicket')).toBe('text');
    registerGenerator('Severity', fc.constantFrom('low', 'high'));
    expect(fieldKind('Severity')).toBe('custom');
    expect(new Set(sample('Severity', 50))).toEqual(new Set(['low', 'high']));
  });

  it('user generators keep working with fast-check properties', () => {
    registerGenerator('DestinationIp', fc.constant('10.0.0.1'), { kind: 'ip' });
    fc.assert(fc.property(generatorFor('DestinationIp'), (ip) => { expect(isIPv4(ip)).toBe(true); }), { numRuns: 20, seed: 1 });
  });
});

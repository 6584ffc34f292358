import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinKinds, expressionProblems, generatorExpression, generatorKind, generatorKindNames, insertAtBoundary, registerGeneratorKind } from './expressions.js';
import { parseRegistryPath } from './registry-keys.js';
import { isUserWritable, isValidWindowsPath } from './windows-paths.js';

const sample = (kind: string, options: Parameters<typeof generatorExpression>[1], field: string, n = 200): string[] =>
  fc.sample(generatorExpression(kind, options, field), { seed: 5, numRuns: n });

describe('generator kinds', () => {
  it('has at least the kinds the issue names, each with a summary', () => {
    expect(generatorKindNames()).toEqual(expect.arrayContaining(['registry-key', 'registry-details', 'path', 'file-name', 'command-line', 'ip', 'user', 'guid', 'hash']));
    for (const k of builtinKinds) {
      expect(k.summary.length).toBeGreaterThan(3);
      expect(sample(k.name, {}, '', 20).every((v) => typeof v === 'string' && v !== '')).toBe(true);
    }
  });

  it('registry-key under a prefix stays under it and is a registry path', () => {
    const prefix = 'HKLM\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters\\Protocol_Catalog9\\Catalog_Entries';
    const out = sample('registry-key', { under: prefix }, 'TargetObject');
    for (const v of out) {
      expect(v.startsWith(`${prefix}\\`)).toBe(true);
      expect(v.includes('\\\\')).toBe(false);
      expect(parseRegistryPath(v)?.hive).toBe('machine');
    }
    expect(new Set(out).size).toBeGreaterThan(20);
    for (const v of sample('registry-key', { name: 'Debugger' }, 'TargetObject', 50)) expect(v.endsWith('\\Debugger')).toBe(true);
  });

  it('path: dir user-writable / system / program with a name, and under with POSIX separators', () => {
    for (const v of sample('path', { dir: 'user-writable', name: 'msiexec.exe' }, 'Image')) {
      expect(isUserWritable(v)).toBe(true);
      expect(isValidWindowsPath(v)).toBe(true);
      expect(v.endsWith('\\msiexec.exe')).toBe(true);
    }
    for (const v of sample('path', { dir: 'system' }, 'Image', 50)) expect(v).toMatch(/^C:\\Windows(?:\\|$)/i);
    for (const v of sample('path', { dir: 'program' }, 'Image', 50)) expect(v).toMatch(/^C:\\Program Files/);
    expect(sample('path', { under: '/home/alice/.cache', name: 'sudo' }, 'exe', 3)).toEqual(Array(3).fill('/home/alice/.cache/sudo'));
    expect(sample('path', { under: 'C:\\Tools\\', name: 'x.exe' }, 'Image', 1)).toEqual(['C:\\Tools\\x.exe']);
  });

  it('not leaves out every value matching a Sigma pattern, case-insensitively', () => {
    const out = sample('path', { not: ['*\\msiexec.exe', 'C:\\Windows\\\\*'] }, 'Image', 300);
    for (const v of out) {
      expect(v.toLowerCase().endsWith('\\msiexec.exe')).toBe(false);
      expect(v.toLowerCase().startsWith('c:\\windows\\')).toBe(false);
    }
    expect(sample('registry-details', { not: ['(Empty)'] }, 'Details', 300)).not.toContain('(Empty)');
  });

  it('contains puts each text in, as a part of its own', () => {
    for (const v of sample('command-line', { name: 'certutil.exe', contains: ['-urlcache', '-f'] }, 'CommandLine', 100)) {
      expect(v).toMatch(/certutil/i);
      expect(v).toMatch(/(?:^| )-urlcache(?: |$)/);
    }
    expect(insertAtBoundary('a b c', 'x', 0)).toBe('a b c x');
    expect(insertAtBoundary('a b c', 'x', 1)).toBe('a x b c');
    expect(insertAtBoundary('C:\\a\\b.exe', 'Temp', 1)).toBe('C:\\Temp\\a\\b.exe');
    expect(insertAtBoundary('has x', 'x', 1)).toBe('has x');
  });

  it('ip scope private / public, and numbers within min and max', () => {
    for (const v of sample('ip', { scope: 'private' }, 'IpAddress')) expect(v).toMatch(/^(?:10\.|172\.(?:1[6-9]|2\d|3[01])\.|192\.168\.|fd[0-9a-f]{2}:)/);
    for (const v of sample('ip', { scope: 'public' }, 'IpAddress')) expect(v).not.toMatch(/^(?:10\.|172\.(?:1[6-9]|2\d|3[01])\.|192\.168\.|127\.)/);
    const n = sample('number', { min: 1000, max: 60000 }, 'uid').map(Number);
    expect(Math.min(...n)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...n)).toBeLessThanOrEqual(60000);
  });

  it('follows the field: the Image generator for path, Sysmon Hashes for hash on Hashes', () => {
    expect(sample('hash', {}, 'Hashes', 20).every((v) => /^(?:[A-Z0-9]+=[0-9A-F]+,?)+$/.test(v))).toBe(true);
    expect(sample('hash', {}, 'Other', 20).every((v) => /^[0-9a-f]{64}$/.test(v))).toBe(true);
  });
});

describe('expression problems', () => {
  it('names an unknown kind with the known ones', () => {
    expect(expressionProblems('pth', {}, 'Image')).toEqual([{ message: expect.stringMatching(/unknown generator kind 'pth' \(kinds: registry-key, .*path/) }]);
  });

  it('names an option the kind does not take, and conflicting options', () => {
    expect(expressionProblems('path', { scope: 'public' }, 'Image')).toEqual([{ option: 'scope', message: expect.stringMatching(/takes no 'scope' option/) }]);
    expect(expressionProblems('path', { under: 'C:\\x', dir: 'system' }, 'Image')[0]?.message).toMatch(/'under' and 'dir'/);
    expect(expressionProblems('number', { min: 5, max: 1 }, 'x')[0]?.message).toMatch(/min 5 is above max 1/);
  });

  it('finds options no value satisfies', () => {
    expect(expressionProblems('path', { not: ['*'] }, 'Image')).toEqual([{ option: 'not', message: expect.stringMatching(/matches a 'not' pattern/) }]);
    expect(expressionProblems('path', { not: ['*\\msiexec.exe'] }, 'Image')).toEqual([]);
  });
});

describe('registering kinds', () => {
  let undo: (() => void) | undefined;
  afterEach(() => undo?.());

  it('adds a kind with its own options, and removes it again', () => {
    undo = registerGeneratorKind({ name: 'ticket', summary: 'INC-000123', options: ['min', 'max'], build: (o) => fc.integer({ min: o.min ?? 1, max: o.max ?? 999 }).map((n) => `INC-${String(n).padStart(6, '0')}`) });
    expect(generatorKindNames()).toContain('ticket');
    expect(sample('ticket', { min: 5, max: 5 }, 'TicketId', 2)).toEqual(['INC-000005', 'INC-000005']);
    expect(expressionProblems('ticket', { dir: 'system' }, 'x')[0]?.message).toMatch(/takes no 'dir'/);
    undo();
    undo = undefined;
    expect(generatorKind('ticket')).toBeUndefined();
  });
});

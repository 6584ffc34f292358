import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DROPPED, builtinOperators, detailsNumber, detailsVariants, embedValue, lookalikeVariants, mutationOperator, operatorNames, registerOperator } from './mutations.js';
import type { Mutated } from './mutations.js';
import { parseRegistryPath, registryPathSpellings } from './registry-keys.js';
import { isValidWindowsPath } from './windows-paths.js';

const sample = (arb: fc.Arbitrary<Mutated>, n = 200, seed = 7): Mutated[] => fc.sample(arb, { seed, numRuns: n });
const op = (name: string) => {
  const o = mutationOperator(name);
  if (o === undefined) throw new Error(`no operator ${name}`);
  return o;
};

const KEY = 'HKLM\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters\\Protocol_Catalog9\\Catalog_Entries\\000000000012\\PackedCatalogItem';

describe('the built-in operators', () => {
  it('are the ones the README lists', () => {
    expect(operatorNames()).toEqual(['recase', 'respell', 'relocate', 'lookalike', 'embed', 'windash', 'details', 'drop']);
    for (const o of builtinOperators) expect(o.summary.length).toBeGreaterThan(10);
  });

  it('recase keeps the text but for letter case, and refuses a value without letters', () => {
    const v = 'C:\\Windows\\System32\\MsiExec.exe';
    const out = sample(op('recase').mutate(v, { field: 'Image' }));
    for (const x of out) expect(String(x).toLowerCase()).toBe(v.toLowerCase());
    expect(new Set(out).size).toBeGreaterThan(20);
    expect(op('recase').check?.('1234', { field: 'x' })).toMatch(/no letters/);
  });

  it('respell gives every hive spelling and control set of a key, and nothing else', () => {
    const out = new Set(sample(op('respell').mutate(KEY, { field: 'TargetObject' }), 400).map(String));
    const all = registryPathSpellings(KEY);
    for (const x of out) expect(all).toContain(x);
    // 3 machine roots × 4 control sets; a run of 400 sees them all.
    expect(all.length).toBe(12);
    expect(out.size).toBe(12);
    expect([...out].some((x) => x.startsWith('\\REGISTRY\\MACHINE\\System\\ControlSet001\\'))).toBe(true);
    expect(op('respell').check?.('C:\\x.exe', { field: 'TargetObject' })).toMatch(/not a registry path/);
  });

  it('respell of a classes key reaches the per-machine and per-user classes roots', () => {
    const key = 'HKCR\\CLSID\\{0A1B2C3D-0000-0000-0000-000000000001}\\InprocServer32\\(Default)';
    const out = sample(op('respell').mutate(key, { field: 'TargetObject' }), 400).map(String);
    expect(out.some((x) => x.startsWith('HKLM\\SOFTWARE\\Classes\\CLSID\\'))).toBe(true);
    expect(out.some((x) => /^HKU\\S-1-5-21-[\d-]+_Classes\\CLSID\\/.test(x))).toBe(true);
    expect(out.some((x) => x.startsWith('HKCU\\SOFTWARE\\Classes\\CLSID\\'))).toBe(true);
    for (const x of out) expect(parseRegistryPath(x)).toBeDefined();
  });

  it('relocate keeps the file name, moves it, and gives valid Windows paths whatever the root', () => {
    const inputs = ['C:\\Windows\\System32\\msiexec.exe', '\\\\?\\C:\\Windows\\x.exe', '\\\\srv\\share\\tools\\b.exe', '\\Device\\HarddiskVolume3\\Windows\\a.exe', 'c:\\x.exe', 'msiexec.exe'];
    for (const p of inputs) {
      for (const x of sample(op('relocate').mutate(p, { field: 'Image' }), 150).map(String)) {
        expect(isValidWindowsPath(x), `${p} → ${x}`).toBe(true);
        expect(x.toLowerCase()).not.toBe(p.toLowerCase());
        expect(x.slice(x.lastIndexOf('\\') + 1)).toBe(p.slice(p.lastIndexOf('\\') + 1));
      }
    }
  });

  it('relocate moves a Linux path to folders any user writes to', () => {
    for (const x of sample(op('relocate').mutate('/usr/bin/sudo', { field: 'exe' }), 100).map(String)) {
      expect(x).toMatch(/^\/(?:tmp|var\/tmp|dev\/shm|home\/[a-z0-9._-]+(?:\/\.cache|\/\.local\/bin)?|run\/user\/1000)(?:\/bin)?\/sudo$/);
    }
  });

  it('lookalike replaces the file name only, by look-alikes and prefixed names', () => {
    const v = 'C:\\Windows\\System32\\msiexec.exe';
    const names = lookalikeVariants('msiexec.exe');
    expect(names).toEqual(expect.arrayContaining(['rnsiexec.exe', 'msiexec.exe.exe', 'Copy of msiexec.exe', 'xmsiexec.exe']));
    for (const x of sample(op('lookalike').mutate(v, { field: 'Image' })).map(String)) {
      expect(x.startsWith('C:\\Windows\\System32\\')).toBe(true);
      expect(names).toContain(x.slice('C:\\Windows\\System32\\'.length));
    }
  });

  it('embed keeps the value intact inside longer text of the field kind', () => {
    for (const [field, v] of [['CommandLine', 'whoami /all'], ['TargetObject', '\\Protocol_Catalog9\\Catalog_Entries'], ['Image', 'C:\\x\\a.exe'], ['Details', 'evil.dll']] as const) {
      const out = sample(op('embed').mutate(v, { field })).map(String);
      for (const x of out) {
        expect(x).toContain(v);
        expect(x.length).toBeGreaterThan(v.length);
      }
      expect(new Set(out).size).toBeGreaterThan(3);
    }
    expect(fc.sample(embedValue('HKLM\\X', 'TargetObject'), { seed: 1, numRuns: 50 }).every((x) => x.startsWith('HKLM\\X\\'))).toBe(true);
  });

  it('windash re-dashes flags and never gives the value back', () => {
    const v = 'powershell.exe -nop -enc AAAA';
    const out = sample(op('windash').mutate(v, { field: 'CommandLine' })).map(String);
    for (const x of out) {
      expect(x).not.toBe(v);
      expect(x.replace(/[-/\u2013\u2014\u2015](?=nop|enc)/g, '-')).toBe(v);
    }
    expect(op('windash').check?.('whoami', { field: 'CommandLine' })).toMatch(/no flag/);
  });

  it('details gives the other Sysmon forms, the same number in other widths among them', () => {
    expect(detailsNumber('DWORD (0x0000002a)')).toBe(42n);
    expect(detailsNumber('QWORD (0x00000001-0x00000000)')).toBe(1n << 32n);
    expect(detailsNumber('Binary Data')).toBeUndefined();
    const out = fc.sample(detailsVariants('DWORD (0x00000001)'), { seed: 3, numRuns: 300 });
    expect(out).not.toContain('DWORD (0x00000001)');
    for (const form of ['(Empty)', 'Binary Data', 'QWORD (0x00000000-0x00000001)', '1']) expect(out).toContain(form);
    expect(out.some((x) => /^DWORD \(0x[0-9a-f]{8}\)$/.test(x))).toBe(true);
    expect(out.some((x) => /^QWORD \(0x[0-9a-f]{8}-0x[0-9a-f]{8}\)$/.test(x))).toBe(true);
    expect(out.some((x) => !/^(?:DWORD|QWORD) |^\(Empty\)$|^Binary Data$|^\d+$/.test(x))).toBe(true);
  });

  it('drop removes the field, whatever its value', () => {
    expect(sample(op('drop').mutate('x', { field: 'Image' }), 5)).toEqual(Array(5).fill(DROPPED));
    expect(op('drop').anyValue).toBe(true);
  });
});

describe('registering operators', () => {
  let undo: (() => void)[] = [];
  afterEach(() => {
    for (const u of undo) u();
    undo = [];
  });

  it('adds a name, overrides a built-in, and removes both again', () => {
    undo.push(registerOperator({ name: 'reverse', summary: 'the text reversed', mutate: (v) => fc.constant([...v].reverse().join('')) }));
    expect(operatorNames()).toContain('reverse');
    expect(fc.sample(mutationOperator('reverse')?.mutate('abc', { field: 'x' }) ?? fc.constant(''), 1)).toEqual(['cba']);
    const remove = registerOperator({ name: 'recase', summary: 'upper case only', mutate: (v) => fc.constant(v.toUpperCase()) });
    expect(fc.sample(mutationOperator('recase')?.mutate('abc', { field: 'x' }) ?? fc.constant(''), 1)).toEqual(['ABC']);
    remove();
    expect(mutationOperator('recase')).toBe(builtinOperators[0]);
    undo.pop()?.();
    expect(mutationOperator('reverse')).toBeUndefined();
  });

  it('refuses names a case file could not use', () => {
    expect(() => registerOperator({ name: 'Re Case', summary: 'x', mutate: (v) => fc.constant(v) })).toThrow(/not a name/);
  });
});

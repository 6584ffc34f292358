import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from './common.js';
import {
  controlSetNames,
  hiveGroups,
  hiveSpellings,
  parseRegistryPath,
  registryKey,
  registryPath,
  registryPathSpellings,
  registryPathVariants,
  registryValuePath,
  respell,
  sysmonRegistryKey,
  sysmonRegistryValuePath,
  win32RegistryKey,
} from './registry-keys.js';

const SID_SEGMENT = /^S-1-5-21-\d+-\d+-\d+-\d+(?:_Classes)?$/;
const lowerSet = (xs: readonly string[]): string[] => [...new Set(xs.map((x) => x.toLowerCase()))].sort();

describe('registry key paths', () => {
  const samples = fc.sample(registryPath, { seed: 11, numRuns: 600 });

  it('uses every hive spelling within a few hundred samples', () => {
    for (const spelling of hiveSpellings) {
      expect(samples.some((p) => p.startsWith(`${spelling}\\`)), spelling).toBe(true);
    }
  });

  it('puts a user SID right after every HKU-family root', () => {
    const users = samples.filter((p) => hiveGroups.users.some((h) => p.startsWith(`${h}\\`)));
    expect(users.length).toBeGreaterThan(20);
    for (const p of users) {
      const root = hiveGroups.users.find((h) => p.startsWith(`${h}\\`)) ?? '';
      const sidSegment = p.slice(root.length + 1).split('\\')[0] ?? '';
      expect(sidSegment).toMatch(SID_SEGMENT);
    }
  });

  it('parses with a known hive root, has no empty segments and no trailing backslash', () => {
    fc.assert(
      fc.property(registryPath, (p) => {
        expect(parseRegistryPath(p)).toBeDefined();
        expect(p.endsWith('\\')).toBe(false);
        // `\\Device\\...` value names under bam are real Sysmon output; nothing else doubles a separator.
        if (!p.includes('\\bam\\')) expect(p.replace(/^\\/, '')).not.toContain('\\\\');
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it('covers CurrentControlSet and ControlSet001..003', () => {
    const keys = fc.sample(registryKey, { seed: 5, numRuns: 3000 });
    for (const cs of controlSetNames) expect(keys.some((k) => k.includes(`\\${cs}\\`)), cs).toBe(true);
  });

  it('includes the realistic subkeys rules look at', () => {
    const all = fc.sample(registryValuePath, { seed: 9, numRuns: 2000 }).join('\n');
    for (const needle of [
      '\\Microsoft\\Windows\\CurrentVersion\\Run\\',
      '\\Image File Execution Options\\',
      '\\Services\\WinSock2\\Parameters\\',
      '\\InprocServer32\\',
      '\\Parameters\\ServiceDll',
      '\\Winlogon\\',
      '(Default)',
    ]) {
      expect(all, needle).toContain(needle);
    }
  });

  it('writes Sysmon TargetObject only with HKLM, HKU\\<SID> and HKCR', () => {
    fc.assert(
      fc.property(fc.oneof(sysmonRegistryKey, sysmonRegistryValuePath), (p) => {
        expect(p).toMatch(/^(?:HKLM\\|HKCR\\|HKU\\S-1-5-21-\d+-\d+-\d+-\d+(?:_Classes)?\\)/);
      }),
      { numRuns: 200, seed: 1 },
    );
  });

  it('gives reg.exe-style keys (no \\REGISTRY spellings)', () => {
    fc.assert(
      fc.property(win32RegistryKey, (k) => {
        expect(k).toMatch(/^(?:HKLM|HKEY_LOCAL_MACHINE|HKCU|HKEY_CURRENT_USER)\\/);
      }),
      { numRuns: 100, seed: 2 },
    );
  });
});

describe('registryPathSpellings', () => {
  it('lists every machine spelling times every control set', () => {
    const out = registryPathSpellings('HKLM\\SYSTEM\\CurrentControlSet\\Services\\WinSock2');
    expect(out[0]).toBe('HKLM\\SYSTEM\\CurrentControlSet\\Services\\WinSock2');
    expect(out).toHaveLength(12);
    for (const h of hiveGroups.machine) {
      for (const cs of controlSetNames) expect(out).toContain(`${h}\\SYSTEM\\${cs}\\Services\\WinSock2`);
    }
  });

  it('maps HKCR to HKLM\\SOFTWARE\\Classes and back', () => {
    const fromHkcr = registryPathSpellings('HKCR\\CLSID\\{X}\\InprocServer32');
    expect(fromHkcr).toContain('HKEY_CLASSES_ROOT\\CLSID\\{X}\\InprocServer32');
    expect(fromHkcr).toContain('HKLM\\SOFTWARE\\Classes\\CLSID\\{X}\\InprocServer32');
    expect(fromHkcr).toContain('\\REGISTRY\\MACHINE\\SOFTWARE\\Classes\\CLSID\\{X}\\InprocServer32');
    expect(registryPathSpellings('HKLM\\SOFTWARE\\Classes\\CLSID\\{X}\\InprocServer32')).toContain('HKCR\\CLSID\\{X}\\InprocServer32');
  });

  it('spells a user hive five ways and its classes key under _Classes', () => {
    const sid = 'S-1-5-21-1-2-3-1001';
    const out = registryPathSpellings(`HKU\\${sid}\\Software\\Classes\\ms-settings\\shell\\open\\command`);
    for (const root of [`HKU\\${sid}`, `HKEY_USERS\\${sid}`, `\\REGISTRY\\USER\\${sid}`, 'HKCU', 'HKEY_CURRENT_USER']) {
      expect(out).toContain(`${root}\\Software\\Classes\\ms-settings\\shell\\open\\command`);
    }
    expect(out).toContain(`HKU\\${sid}_Classes\\ms-settings\\shell\\open\\command`);
  });

  it('gives HKCU its HKU spellings only when a SID is known', () => {
    expect(registryPathSpellings('HKCU\\Environment')).toEqual(['HKCU\\Environment', 'HKEY_CURRENT_USER\\Environment']);
    expect(registryPathSpellings('HKCU\\Environment', { sid: 'S-1-5-21-9-9-9-500' })).toContain('HKU\\S-1-5-21-9-9-9-500\\Environment');
  });

  it('returns a path without a hive root unchanged', () => {
    expect(registryPathSpellings('\\SOFTWARE\\Microsoft')).toEqual(['\\SOFTWARE\\Microsoft']);
  });

  it('is an equivalence: every spelling has the same spellings (ignoring case)', () => {
    const sid = 'S-1-5-21-100-200-300-1001';
    fc.assert(
      fc.property(registryPath, (p) => {
        const spellings = registryPathSpellings(p, { sid });
        expect(spellings[0]).toBe(p);
        for (const s of spellings) {
          expect(parseRegistryPath(s)).toBeDefined();
          // HKU paths carry their own SID; compare classes with the same SID.
          const own = parseRegistryPath(p)?.sid?.replace(/_Classes$/, '') ?? sid;
          expect(lowerSet(registryPathSpellings(s, { sid: own }))).toEqual(lowerSet(registryPathSpellings(p, { sid: own })));
        }
      }),
      { numRuns: 150, seed: 21 },
    );
  });

  it('keeps a contains-needle below the hive root in every spelling', () => {
    const needle = '\\software\\microsoft\\windows\\currentversion\\run\\';
    const paths = fc.sample(registryValuePath, { seed: 4, numRuns: 400 }).filter((p) => p.toLowerCase().includes(needle));
    expect(paths.length).toBeGreaterThan(5);
    for (const p of paths) {
      for (const s of registryPathSpellings(p, { sid: 'S-1-5-21-1-1-1-1001' })) expect(s.toLowerCase()).toContain(needle);
    }
  });
});

describe('registryPathVariants and respell', () => {
  it('only yields spellings of the same key, and reaches the other spellings', () => {
    const path = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater';
    const all = registryPathSpellings(path);
    const seen = new Set(fc.sample(registryPathVariants(path), { seed: 8, numRuns: 200 }));
    for (const v of seen) expect(all).toContain(v);
    expect(seen.size).toBe(all.length);
  });

  it('gives HKCU keys HKU spellings with a generated SID', () => {
    const seen = fc.sample(registryPathVariants('HKCU\\Environment\\UserInitMprLogonScript'), { seed: 8, numRuns: 100 });
    expect(seen.some((v) => /^HKU\\S-1-5-21-\d+-\d+-\d+-\d+\\Environment\\UserInitMprLogonScript$/.test(v))).toBe(true);
    expect(seen.some((v) => v.startsWith('HKEY_CURRENT_USER\\'))).toBe(true);
    for (const v of seen) expect(v.endsWith('\\Environment\\UserInitMprLogonScript')).toBe(true);
  });

  it('respell picks a spelling deterministically from the rng', () => {
    const path = 'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control\\Lsa\\RunAsPPL';
    const a = Array.from({ length: 20 }, ((rng) => () => respell(path, rng))(createRng(5)));
    const b = Array.from({ length: 20 }, ((rng) => () => respell(path, rng))(createRng(5)));
    expect(a).toEqual(b);
    for (const s of a) expect(registryPathSpellings(path)).toContain(s);
    expect(new Set(a).size).toBeGreaterThan(3);
  });
});

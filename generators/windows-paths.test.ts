import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  basename,
  caseVariant,
  currentDirectory,
  directoryPath,
  dirname,
  dllPath,
  fillUser,
  filePath,
  imagePath,
  isUserWritable,
  knownPrograms,
  lookalikeName,
  lookalikeNames,
  programPath,
  relocate,
  userWritableDir,
  userWritableDirs,
} from './windows-paths.js';

const DRIVE_PATH = /^[A-Z]:\\[^\\]/;

function wellFormed(p: string): void {
  expect(p).toMatch(DRIVE_PATH);
  expect(p).not.toContain('\\\\');
  expect(p.endsWith('\\')).toBe(false);
  expect(p).not.toMatch(/[<>"|?*]/);
}

describe('paths', () => {
  it('filePath, imagePath, dllPath are drive-letter paths with the right extensions', () => {
    fc.assert(fc.property(filePath, (p) => { wellFormed(p); }), { numRuns: 200, seed: 1 });
    fc.assert(
      fc.property(imagePath, (p) => {
        wellFormed(p);
        expect(p).toMatch(/\.exe$/i);
      }),
      { numRuns: 200, seed: 2 },
    );
    fc.assert(
      fc.property(dllPath, (p) => {
        wellFormed(p);
        expect(p).toMatch(/\.dll$/i);
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it('covers system, program and user-writable folders, mostly on C:', () => {
    const samples = fc.sample(filePath, { seed: 4, numRuns: 600 });
    const has = (re: RegExp): boolean => samples.some((p) => re.test(p));
    expect(has(/^C:\\Windows\\System32\\/i)).toBe(true);
    expect(has(/^C:\\Windows\\SysWOW64\\/i)).toBe(true);
    expect(has(/^C:\\Program Files\\/)).toBe(true);
    expect(has(/^C:\\Program Files \(x86\)\\/)).toBe(true);
    expect(has(/\\AppData\\Local\\Temp\\/)).toBe(true);
    expect(has(/\\AppData\\Roaming\\/)).toBe(true);
    expect(has(/^C:\\Users\\Public\\/)).toBe(true);
    expect(has(/^C:\\Users\\[^\\]+\\Downloads\\/)).toBe(true);
    expect(has(/^C:\\ProgramData\\/)).toBe(true);
    expect(has(/^C:\\Windows\\Temp\\/)).toBe(true);
    expect(has(/^[DE]:\\/)).toBe(true);
    expect(samples.filter((p) => p.startsWith('C:')).length).toBeGreaterThan(samples.length * 0.8);
  });

  it('imagePath is mostly a known program in its own folder', () => {
    const samples = fc.sample(imagePath, { seed: 5, numRuns: 300 });
    const known = new Set(knownPrograms.map((p) => p.name.toLowerCase()));
    expect(samples.filter((p) => known.has(basename(p).toLowerCase())).length).toBeGreaterThan(200);
    expect(samples.some((p) => /^C:\\Windows\\System32\\cmd\.exe$/i.test(p))).toBe(true);
  });

  it('CurrentDirectory ends with a backslash; directoryPath does not', () => {
    fc.assert(fc.property(currentDirectory, (d) => { expect(d).toMatch(/^[A-Z]:\\.*\\$/); }), { numRuns: 100, seed: 6 });
    fc.assert(fc.property(directoryPath, (d) => { wellFormed(d); }), { numRuns: 100, seed: 7 });
  });

  it('programPath fills the user and respells only the Windows root', () => {
    const teams = knownPrograms.find((p) => p.name === 'Teams.exe');
    const cmd = knownPrograms.find((p) => p.name === 'cmd.exe');
    expect(teams && programPath(teams, 'bob')).toBe('C:\\Users\\bob\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe');
    expect(cmd && programPath(cmd, 'bob', 1)).toBe('C:\\Windows\\System32\\cmd.exe');
    expect(cmd && programPath(cmd, 'bob', 3)).toBe('C:\\WINDOWS\\system32\\cmd.exe');
  });

  it('basename and dirname split at the last separator', () => {
    expect(basename('C:\\Windows\\System32\\cmd.exe')).toBe('cmd.exe');
    expect(dirname('C:\\Windows\\System32\\cmd.exe')).toBe('C:\\Windows\\System32');
    expect(basename('cmd.exe')).toBe('cmd.exe');
    expect(dirname('cmd.exe')).toBe('');
  });
});

describe('user-writable folders', () => {
  it('classifies every template and every generated folder as user-writable', () => {
    for (const t of userWritableDirs) expect(isUserWritable(`C:${fillUser(t, 'bob')}\\x.exe`), t).toBe(true);
    fc.assert(fc.property(userWritableDir, (d) => { expect(isUserWritable(`${d}\\a.exe`)).toBe(true); }), { numRuns: 100, seed: 8 });
  });

  it('does not classify system or program folders as user-writable', () => {
    for (const p of [
      'C:\\Windows\\System32\\cmd.exe',
      'C:\\Windows\\SysWOW64\\rundll32.exe',
      'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
      'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
      'C:\\Users\\Default\\NTUSER.DAT',
      'C:\\Windows\\Temporary\\x.exe',
    ]) {
      expect(isUserWritable(p), p).toBe(false);
    }
    expect(isUserWritable('c:\\users\\bob\\appdata\\local\\temp\\x.exe')).toBe(true);
  });
});

describe('caseVariant', () => {
  it('changes only letter case, and does change it', () => {
    const s = 'C:\\Windows\\System32\\cmd.exe';
    const samples = fc.sample(caseVariant(s), { seed: 9, numRuns: 100 });
    for (const v of samples) expect(v.toLowerCase()).toBe(s.toLowerCase());
    expect(samples.some((v) => v !== s)).toBe(true);
    expect(samples).toContain(s.toUpperCase());
    expect(samples).toContain(s.toLowerCase());
  });
});

describe('relocate', () => {
  const original = 'C:\\Windows\\System32\\msiexec.exe';

  it('keeps the file name, never returns the original path', () => {
    fc.assert(
      fc.property(relocate(original), (p) => {
        expect(basename(p)).toBe('msiexec.exe');
        expect(p.toLowerCase()).not.toBe(original.toLowerCase());
      }),
      { numRuns: 200, seed: 10 },
    );
  });

  it('moves to user-writable folders, other drives and the trailing-space mock folder', () => {
    const samples = fc.sample(relocate(original), { seed: 11, numRuns: 200 });
    expect(samples.some((p) => isUserWritable(p))).toBe(true);
    expect(samples.some((p) => /^[D-F]:\\Windows\\System32\\msiexec\.exe$/.test(p))).toBe(true);
    expect(samples).toContain('C:\\Windows \\System32\\msiexec.exe');
  });

  it('relocates a user-writable file somewhere else too', () => {
    const p = 'C:\\Users\\Public\\x.exe';
    for (const v of fc.sample(relocate(p), { seed: 12, numRuns: 100 })) expect(v.toLowerCase()).not.toBe(p.toLowerCase());
  });
});

describe('look-alike names', () => {
  it('gives the classic look-alikes of msiexec.exe', () => {
    const names = lookalikeNames('msiexec.exe');
    expect(names).toEqual(expect.arrayContaining(['rnsiexec.exe', 'msiexec.exe.exe', 'msiexec64.exe', 'msiexec .exe', 'mslexec.exe']));
    expect(names.some((n) => /[\u0400-\u04ff]/.test(n) && n.normalize('NFKC') !== 'msiexec.exe')).toBe(true);
    expect(names.length).toBeGreaterThanOrEqual(6);
    expect(names.length).toBeLessThanOrEqual(12);
  });

  it('never gives the name itself (in any case) and only distinct names', () => {
    for (const p of knownPrograms) {
      const names = lookalikeNames(p.name);
      expect(names.length).toBeGreaterThan(2);
      expect(new Set(names).size).toBe(names.length);
      for (const n of names) expect(n.toLowerCase()).not.toBe(p.name.toLowerCase());
    }
  });

  it('lookalikeName draws from lookalikeNames', () => {
    const all = lookalikeNames('svchost.exe');
    expect(all).toContain('scvhost.exe');
    for (const n of fc.sample(lookalikeName('svchost.exe'), { seed: 13, numRuns: 50 })) expect(all).toContain(n);
  });
});

import fc from 'fast-check';
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  WINDASH_CHARS,
  argumentsFor,
  commandLine,
  commandLineFor,
  encodePowerShell,
  flagPositions,
  invocation,
  powershellScript,
  windashVariant,
  windashVariants,
} from './command-lines.js';
import { basename } from './windows-paths.js';

describe('windash', () => {
  it('has the five characters of Sigma windash', () => {
    expect([...WINDASH_CHARS]).toEqual(['-', '/', '\u2013', '\u2014', '\u2015']);
  });

  it('finds flag prefixes, not URL slashes or dashes inside words', () => {
    const text = 'powershell.exe -nop -w hidden "-c" http://x-y.com/a /c x-y --type=gpu /?';
    const chars = flagPositions(text).map((i) => text.charAt(i) + text.charAt(i + 1));
    expect(chars).toEqual(['-n', '-w', '-c', '/c', '--', '/?']);
  });

  it('windashVariants gives the text and one variant per dash character', () => {
    const v = windashVariants('cmd.exe /c whoami -all');
    expect(v[0]).toBe('cmd.exe /c whoami -all');
    expect(v).toEqual([
      'cmd.exe /c whoami -all',
      'cmd.exe -c whoami -all',
      'cmd.exe /c whoami /all',
      'cmd.exe \u2013c whoami \u2013all',
      'cmd.exe \u2014c whoami \u2014all',
      'cmd.exe \u2015c whoami \u2015all',
    ]);
    expect(windashVariants('no flags here')).toEqual(['no flags here']);
    expect(windashVariants('curl http://example.com/x')).toEqual(['curl http://example.com/x']);
  });

  it('windashVariant changes flag prefixes only', () => {
    const text = 'reg.exe add "HKLM\\SOFTWARE\\X" /v Y /t REG_SZ /d "C:\\a-b.exe" /f';
    const normalise = (s: string): string => {
      const pos = new Set(flagPositions(s));
      return [...s].map((c, i) => (pos.has(i) ? '-' : c)).join('');
    };
    fc.assert(
      fc.property(windashVariant(text), (v) => {
        expect(v).toHaveLength(text.length);
        expect(normalise(v)).toBe(normalise(text));
        expect(v).toContain('C:\\a-b.exe');
      }),
      { numRuns: 100, seed: 1 },
    );
  });

  it('every windash character appears in command lines within a few hundred samples', () => {
    const samples = fc.sample(commandLine, { seed: 7, numRuns: 600 });
    for (const c of WINDASH_CHARS) {
      expect(samples.some((s) => flagPositions(s).some((i) => s.charAt(i) === c)), `U+${c.codePointAt(0)?.toString(16)}`).toBe(true);
    }
  });
});

describe('command lines', () => {
  it('start with the image: quoted, bare, name or name without .exe; paths with spaces are quoted', () => {
    fc.assert(
      fc.property(invocation, ({ image, commandLine: c }) => {
        const name = basename(image);
        const heads = [`"${image}"`, image, name, name.replace(/\.exe$/i, ''), `\\??\\${image}`];
        expect(heads.some((h) => c === h || c.startsWith(`${h} `))).toBe(true);
        if (/^[A-Za-z]:\\/.test(c)) expect(c).toMatch(/^[A-Za-z]:\\[^ "]*\.exe(?: |$)/i);
      }),
      { numRuns: 200, seed: 2 },
    );
  });

  it('have realistic arguments for the usual LOLBins', () => {
    const sample = (name: string): string => fc.sample(argumentsFor(name), { seed: 3, numRuns: 200 }).join('\n');
    expect(sample('cmd.exe')).toMatch(/\/c /);
    expect(sample('powershell.exe')).toMatch(/-(?:nop|NoProfile)/);
    expect(sample('powershell.exe')).toMatch(/-(?:enc|EncodedCommand|e|ec|Enc) [A-Za-z0-9+/=]{8,}/);
    expect(sample('rundll32.exe')).toMatch(/\.dll",?\S*|,DllRegisterServer/);
    expect(sample('regsvr32.exe')).toMatch(/\/s /);
    expect(sample('schtasks.exe')).toMatch(/\/create \/tn /);
    expect(sample('reg.exe')).toMatch(/^add "HK/m);
    expect(sample('certutil.exe')).toMatch(/-urlcache -split -f https?:\/\//);
    expect(sample('msiexec.exe')).toMatch(/\/i "|\/x \{/);
    expect(sample('svchost.exe')).toMatch(/^-k \w+/m);
  });

  it('commandLineFor uses the given image', () => {
    const image = 'C:\\Program Files\\Vendor App\\tool.exe';
    fc.assert(
      fc.property(commandLineFor(image), (c) => {
        expect(c.startsWith(`"${image}"`) || c.startsWith('tool.exe') || c.startsWith('tool')).toBe(true);
        expect(c.startsWith(image)).toBe(false); // has a space: never unquoted
      }),
      { numRuns: 100, seed: 4 },
    );
  });

  it('encodes PowerShell commands as Base64 UTF-16LE', () => {
    expect(encodePowerShell('whoami')).toBe('dwBoAG8AYQBtAGkA');
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(Buffer.from(encodePowerShell(s), 'base64').toString('utf16le')).toBe(s);
      }),
      { numRuns: 100, seed: 5 },
    );
  });

  it('produces PowerShell script text', () => {
    const all = fc.sample(powershellScript, { seed: 6, numRuns: 200 });
    expect(all.every((s) => s.trim().length > 0)).toBe(true);
    expect(all.some((s) => s.includes('\n'))).toBe(true);
    expect(all.some((s) => /Get-|Invoke-|Import-Module/.test(s))).toBe(true);
  });
});

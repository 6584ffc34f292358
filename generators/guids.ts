/**
 * GUIDs: plain (`0f8fad5b-d9cb-469f-a165-70867728950e`), braced (`{0F8FAD5B-...}` as in registry
 * CLSIDs) and Sysmon-style process/logon GUIDs.
 */
import fc from 'fast-check';
import { hexDigits, oneOf } from './common.js';

/** Formats 32 hex digits as a GUID (8-4-4-4-12). */
export function formatGuid(hex32: string, options: { braces?: boolean; upper?: boolean } = {}): string {
  if (!/^[0-9a-fA-F]{32}$/.test(hex32)) throw new Error(`formatGuid: expected 32 hex digits, got ${hex32}`);
  const h = options.upper === true ? hex32.toUpperCase() : hex32.toLowerCase();
  const g = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  return options.braces === true ? `{${g}}` : g;
}

/** Random (version 4 layout) GUID digits: version nibble 4, variant 8..b. */
const v4Hex = fc
  .tuple(hexDigits(12), hexDigits(3), fc.constantFrom('8', '9', 'a', 'b'), hexDigits(15))
  .map(([a, b, v, c]) => `${a}4${b}${v}${c}`);

/** A GUID in lower case without braces: `0f8fad5b-d9cb-469f-a165-70867728950e`. */
export const guid: fc.Arbitrary<string> = v4Hex.map((h) => formatGuid(h));

/** A GUID in upper case without braces (as EVTX-to-JSON converters often render GUID fields). */
export const guidUpper: fc.Arbitrary<string> = v4Hex.map((h) => formatGuid(h, { upper: true }));

/** A braced upper-case GUID, as registry CLSIDs and interface IDs are written: `{4234D49B-...}`. */
export const bracedGuid: fc.Arbitrary<string> = v4Hex.map((h) => formatGuid(h, { braces: true, upper: true }));

/** Well-known CLSIDs that show up in COM hijacking rules and benign logs alike. */
export const wellKnownClsids: readonly string[] = [
  '{BCDE0395-E52F-467C-8E3D-C4579291692E}', // MMDeviceEnumerator
  '{0002DF01-0000-0000-C000-000000000046}', // InternetExplorer.Application
  '{F5078F35-C551-11D3-89B9-0000F81FE221}', // Msxml2.XMLHTTP.3.0
  '{3AD05575-8857-4850-9277-11B85BDB8E09}', // Copy/Move/Rename/Delete
  '{BA126AD1-2166-11D1-B1D0-00805FC1270E}', // Network connections
  '{E6442437-6C68-4F52-94DD-2CFED267EFB9}', // Windows Defender
  '{4590F811-1D3A-11D0-891F-00AA004B2E24}', // WbemLocator
  '{9BA05972-F6A8-11CF-A442-00A0C90A8F39}', // ShellWindows
  '{C08AFD90-F2A1-11D1-8455-00A0C91F3880}', // ShellBrowserWindow
  '{0A29FF9E-7F9C-4437-8B11-F424491E3931}', // Narrator / NaturalLanguage6
];

/** Braced upper-case CLSIDs: mostly random, sometimes well-known. */
export const clsid: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: bracedGuid },
  { weight: 1, arbitrary: oneOf(wellKnownClsids) },
);

/**
 * The machine part of Sysmon GUIDs: Sysmon derives the first group from the machine, so one host
 * always writes the same first 8 digits. A small pool keeps that realistic across events.
 */
export const sysmonMachineIds: readonly string[] = [
  '0197231e', '747f3d96', '42f11c3b', 'b7c3f6a1', '5e2a9d40', 'c90a3f12', '1d6b8e77', '8a4c2e05',
];

/**
 * Sysmon ProcessGuid / LogonGuid: `{machine-tttt-tttt-cccc-00000000ss00}` in lower case with
 * braces, as Sysmon renders it in XML (`{0197231e-61ef-693a-c812-000000000800}`).
 */
export const sysmonGuid: fc.Arbitrary<string> = fc
  .tuple(oneOf(sysmonMachineIds), hexDigits(8), hexDigits(4), fc.integer({ min: 1, max: 0x3f }))
  .map(([m, t, c, s]) => `{${m}-${t.slice(0, 4)}-${t.slice(4)}-${c}-00000000${s.toString(16).padStart(2, '0')}00}`);

/**
 * The same GUIDs as EVTX-to-JSON converters (evtx_dump, this project's EVTX reader) render them:
 * upper case, no braces (`0197231E-61EF-693A-C812-000000000800`). `events.ts` uses this form.
 */
export const sysmonGuidEvtx: fc.Arbitrary<string> = sysmonGuid.map((g) => g.slice(1, -1).toUpperCase());

/**
 * Every spelling of one GUID that tools emit: braced or not, lower or upper case (4 strings,
 * the input's own spelling included). Useful to test equality semantics of GUID fields.
 */
export function guidSpellings(g: string): string[] {
  const hex = g.replace(/[{}-]/g, '');
  const out = new Set<string>();
  for (const braces of [true, false]) for (const upper of [false, true]) out.add(formatGuid(hex, { braces, upper }));
  return [...out];
}

/** Any GUID, in any of the spellings above. */
export const anyGuid: fc.Arbitrary<string> = fc
  .tuple(v4Hex, fc.boolean(), fc.boolean())
  .map(([h, braces, upper]) => formatGuid(h, { braces, upper }));

/**
 * Sysmon registry `Details` values (event 13 SetValue): `DWORD (0x00000001)`,
 * `QWORD (0x00000000-0x00000001)`, strings (paths, command lines, free text), `(Empty)` and
 * `Binary Data`.
 */
import fc from 'fast-check';
import { fakerArb, weighted } from './common.js';
import { commandLine } from './command-lines.js';
import { url } from './network.js';
import { dllPath, filePath, imagePath } from './windows-paths.js';

/** What Sysmon writes for an empty string value. */
export const DETAILS_EMPTY = '(Empty)';
/** What Sysmon writes for REG_BINARY (and other non-printable) values. */
export const DETAILS_BINARY = 'Binary Data';

/** `DWORD (0x0000002a)`: 8 lower-case hex digits, as Sysmon writes a REG_DWORD. */
export function formatDword(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`formatDword: not a 32-bit value: ${value}`);
  return `DWORD (0x${value.toString(16).padStart(8, '0')})`;
}

/** `QWORD (0x00000001-0x00000002)`: high and low 32-bit halves, as Sysmon writes a REG_QWORD. */
export function formatQword(value: bigint): string {
  if (value < 0n || value > 0xffffffffffffffffn) throw new Error(`formatQword: not a 64-bit value: ${value}`);
  const hi = (value >> 32n).toString(16).padStart(8, '0');
  const lo = (value & 0xffffffffn).toString(16).padStart(8, '0');
  return `QWORD (0x${hi}-0x${lo})`;
}

/** Values DWORDs take in practice: flags 0/1/2/4, small enums, sometimes anything. */
export const dwordValue: fc.Arbitrary<number> = weighted<number>(
  [6, fc.constantFrom(0, 1)],
  [2, fc.constantFrom(2, 3, 4, 5, 0xff, 0x100, 0x1189, 0xffffffff)],
  [2, fc.integer({ min: 0, max: 0xffffffff })],
);

/** A Sysmon DWORD `Details` value. */
export const dwordDetails: fc.Arbitrary<string> = dwordValue.map(formatDword);

/** A Sysmon QWORD `Details` value: timestamps (FILETIME-sized) or small numbers. */
export const qwordDetails: fc.Arbitrary<string> = weighted<bigint>(
  [1, fc.bigInt({ min: 0n, max: 0xffffn })],
  [2, fc.bigInt({ min: 0x01d0000000000000n, max: 0x01dbffffffffffffn })],
  [1, fc.bigInt({ min: 0n, max: 0xffffffffffffffffn })],
).map(formatQword);

/** Free text that string values hold: display names, versions, GUID-ish ids, sentences. */
const freeText: fc.Arbitrary<string> = weighted<string>(
  [3, fakerArb((f) => f.company.name())],
  [2, fakerArb((f) => f.system.semver())],
  [2, fakerArb((f) => f.lorem.words({ min: 1, max: 4 }))],
  [1, fc.constantFrom('Microsoft Corporation', 'Windows Defender', 'Apartment', 'Both', 'Free', 'en-US', 'true', 'false', '1')],
);

/** String `Details`: paths (some with `%SystemRoot%`), command lines, URLs and free text. */
export const stringDetails: fc.Arbitrary<string> = weighted<string>(
  [4, imagePath],
  [2, filePath],
  [2, dllPath.map((p) => p.replace(/^C:\\Windows/i, '%SystemRoot%'))],
  [3, commandLine],
  [1, url],
  [3, freeText],
);

/** Any `Details` value, weighted roughly like Sysmon registry telemetry. */
export const registryDetails: fc.Arbitrary<string> = weighted<string>(
  [35, dwordDetails],
  [5, qwordDetails],
  [40, stringDetails],
  [10, fc.constant(DETAILS_EMPTY)],
  [10, fc.constant(DETAILS_BINARY)],
);

/** The forms `Details` takes, for tests that want one form explicitly. */
export const detailsForms = {
  dword: dwordDetails,
  qword: qwordDetails,
  string: stringDetails,
  empty: fc.constant(DETAILS_EMPTY),
  binary: fc.constant(DETAILS_BINARY),
} as const satisfies Record<string, fc.Arbitrary<string>>;

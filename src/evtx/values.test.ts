import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { decodeValue, EvtxFormatError, formatFiletime, ValueType } from './values.js';
import { synthValue as v } from '../../test/support/evtx-writer.js';
import type { SynthValue } from '../../test/support/evtx-writer.js';

/** Decodes a synthetic value placed at a non-zero offset of a larger buffer. */
function decode(value: SynthValue): unknown {
  if (!('bytes' in value)) throw new Error('not a scalar');
  const buf = Buffer.concat([Buffer.alloc(3, 0xee), value.bytes, Buffer.alloc(2, 0xee)]);
  return decodeValue(buf, value.type, 3, value.bytes.length);
}

describe('decodeValue: scalar types', () => {
  const cases: Array<[string, SynthValue, unknown]> = [
    ['null', v.null(), null],
    ['string (terminator dropped)', v.string('C:\\Windows\\cmd.exe'), 'C:\\Windows\\cmd.exe'],
    ['string with non-BMP characters', v.string('Ann\u202egepj.exe \u{1F600}'), 'Ann\u202egepj.exe \u{1F600}'],
    ['string keeps trailing spaces (the JSON renderer trims)', v.string('cmd.exe '), 'cmd.exe '],
    ['string stops at the first NUL', v.raw(ValueType.String, Buffer.from('ab\0cd\0', 'utf16le')), 'ab'],
    ['empty string', v.raw(ValueType.String, new Uint8Array(0)), ''],
    ['string without a terminator', v.raw(ValueType.String, Buffer.from('abc', 'utf16le')), 'abc'],
    ['string of a terminator only', v.raw(ValueType.String, Buffer.from('\0', 'utf16le')), ''],
    ['string with an odd byte count (the last byte is no code unit)', v.raw(ValueType.String, Buffer.concat([Buffer.from('ab', 'utf16le'), Buffer.of(0x41)])), 'ab'],
    ['a last code unit with a zero low byte (U+0100) is no terminator', v.raw(ValueType.String, Buffer.from('ab\u0100', 'utf16le')), 'ab\u0100'],
    ['ANSI string', v.ansi('caf\u00e9'), 'caf\u00e9'],
    ['int8', v.int8(-5), -5],
    ['uint8', v.uint8(255), 255],
    ['int16', v.int16(-32768), -32768],
    ['uint16', v.uint16(65535), 65535],
    ['int32', v.int32(-123456), -123456],
    ['uint32', v.uint32(4294967295), 4294967295],
    ['int64', v.int64(-(2n ** 40n)), -(2 ** 40)],
    ['uint64', v.uint64(14961n), 14961],
    ['uint64 beyond 2^53 rounds like JSON.parse', v.uint64(2n ** 64n - 1n), JSON.parse('18446744073709551615')],
    ['real32 in shortest form', v.real32(0.1), 0.1],
    ['real64', v.real64(-2.5e-300), -2.5e-300],
    ['real64 NaN has no JSON form', v.real64(Number.NaN), null],
    ['bool true', v.bool(true), true],
    ['bool false', v.bool(false), false],
    ['binary as upper-case hex', v.binary('00ff10ab'), '00FF10AB'],
    ['GUID upper-case without braces', v.guid('{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'), '5770385F-C22A-43E0-BF4C-06F5698FFBD9'],
    ['size_t 64-bit as hex', v.sizeT(0x7ff6a1b20000n), '0x7ff6a1b20000'],
    ['size_t 32-bit as hex', v.sizeT(0x1000n, 4), '0x1000'],
    ['FILETIME truncated to microseconds', v.filetime(134058224746406705n), '2025-10-24T23:34:34.640670Z'],
    ['FILETIME epoch', v.filetime(0n), '1601-01-01T00:00:00.000000Z'],
    ['SYSTEMTIME', v.systime(2024, 2, 29, 13, 5, 9, 42), '2024-02-29T13:05:09.042000Z'],
    ['SID', v.sid('S-1-5-18'), 'S-1-5-18'],
    ['domain SID', v.sid('S-1-5-21-3623811015-3361044348-30300820-1013'), 'S-1-5-21-3623811015-3361044348-30300820-1013'],
    ['hexint32 lower-case', v.hexInt32(0x1f0fff), '0x1f0fff'],
    ['hexint64 Keywords', v.hexInt64(0x8000000000000000n), '0x8000000000000000'],
    ['EvtHandle', v.evtHandle(42), 42],
  ];
  for (const [name, value, expected] of cases) {
    it(name, () => {
      expect(decode(value)).toEqual(expected);
    });
  }
});

describe('decodeValue: array types (type | 0x80)', () => {
  it('splits string arrays at their NUL terminators', () => {
    expect(decode(v.array([v.string('a'), v.string(''), v.string('c d')]))).toEqual(['a', '', 'c d']);
  });
  it('splits ANSI string arrays', () => {
    expect(decode(v.array([v.ansi('x'), v.ansi('y')]))).toEqual(['x', 'y']);
  });
  it('decodes fixed-width arrays element by element', () => {
    expect(decode(v.array([v.uint16(1), v.uint16(2), v.uint16(65535)]))).toEqual([1, 2, 65535]);
    expect(decode(v.array([v.int32(-1), v.int32(7)]))).toEqual([-1, 7]);
    expect(decode(v.array([v.hexInt64(1n), v.hexInt64(255n)]))).toEqual(['0x1', '0xff']);
    expect(decode(v.array([v.bool(true), v.bool(false)]))).toEqual([true, false]);
    expect(decode(v.array([v.guid('00000000-0000-0000-0000-000000000001'), v.guid('ffffffff-0000-0000-0000-000000000000')]))).toEqual([
      '00000000-0000-0000-0000-000000000001',
      'FFFFFFFF-0000-0000-0000-000000000000',
    ]);
    expect(decode(v.array([v.filetime(0n)]))).toEqual(['1601-01-01T00:00:00.000000Z']);
  });
  it('decodes SID arrays (variable-size elements)', () => {
    expect(decode(v.array([v.sid('S-1-5-18'), v.sid('S-1-5-32-544')]))).toEqual(['S-1-5-18', 'S-1-5-32-544']);
  });
  it('gives an empty array for an empty array value', () => {
    expect(decode(v.raw(ValueType.UInt32 | ValueType.Array, new Uint8Array(0)))).toEqual([]);
  });
});

describe('decodeValue: malformed values', () => {
  it('rejects sizes a type cannot have', () => {
    expect(() => decode(v.raw(ValueType.UInt32, new Uint8Array(3)))).toThrow(EvtxFormatError);
    expect(() => decode(v.raw(ValueType.Guid, new Uint8Array(15)))).toThrow(/expected 16/);
    expect(() => decode(v.raw(ValueType.UInt16 | ValueType.Array, new Uint8Array(3)))).toThrow(/multiple of 2/);
  });
  it('rejects a SID shorter than its sub-authority count says', () => {
    const sid = v.sid('S-1-5-21-1-2-3');
    if (!('bytes' in sid)) throw new Error('unreachable');
    expect(() => decode(v.raw(ValueType.Sid, sid.bytes.subarray(0, 12)))).toThrow(EvtxFormatError);
  });
  it('rejects values running past the buffer', () => {
    expect(() => decodeValue(new Uint8Array(4), ValueType.UInt64, 0, 8)).toThrow(/past the end/);
  });
  it('rejects unknown types and leaves BinXml to the parser', () => {
    expect(() => decode(v.raw(0x16, new Uint8Array(4)))).toThrow(/unknown value type 0x16/);
    expect(() => decode(v.raw(ValueType.BinXml, new Uint8Array(4)))).toThrow(/Binary XML/);
  });
});

/** FILETIME → ISO the long way (BigInt division, fields one by one): the oracle of the fast version. */
function filetimeOracle(ticks: bigint): string {
  const micros = ticks / 10n;
  const d = new Date(Number(micros / 1000n - 11644473600000n));
  const p = (n: number, w: number): string => String(n).padStart(w, '0');
  const y = d.getUTCFullYear();
  const year = y <= 9999 ? p(y, 4) : `+${p(y, 6)}`;
  return `${year}-${p(d.getUTCMonth() + 1, 2)}-${p(d.getUTCDate(), 2)}T${p(d.getUTCHours(), 2)}:${p(d.getUTCMinutes(), 2)}:${p(d.getUTCSeconds(), 2)}.${p(d.getUTCMilliseconds(), 3)}${p(Number(micros % 1000n), 3)}Z`;
}

describe('formatFiletime', () => {
  it('renders 100 ns ticks as ISO UTC with 6 fractional digits, truncating', () => {
    expect(formatFiletime(116444736000000000n)).toBe('1970-01-01T00:00:00.000000Z');
    expect(formatFiletime(116444736000000019n)).toBe('1970-01-01T00:00:00.000001Z');
    expect(formatFiletime(2n ** 64n - 1n)).toBe('+060056-05-28T05:36:10.955161Z');
  });

  it('agrees with BigInt arithmetic on any 64-bit value (halves near 2^32, 10^4 boundaries)', () => {
    const edges = [0n, 9999n, 10000n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 32n * 10000n - 1n, 116444736000000000n, 134058224746406705n, 2n ** 63n, 2n ** 64n - 1n];
    for (const t of edges) expect(formatFiletime(t), String(t)).toBe(filetimeOracle(t));
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (t) => formatFiletime(t) === filetimeOracle(t)),
      { numRuns: 5000, seed: 20261128 },
    );
  });

  it('agrees with BigInt arithmetic on runs of nearby times (seconds reused, pre-1970 ones too)', () => {
    // Times in the same or neighbouring seconds, interleaved: the formatted seconds are remembered.
    const second = 10_000_000n;
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n - 8n * second }),
        fc.array(fc.bigInt({ min: 0n, max: 8n * second - 1n }), { minLength: 1, maxLength: 40 }),
        (base, offsets) => offsets.every((o) => formatFiletime(base + o) === filetimeOracle(base + o)),
      ),
      { numRuns: 500, seed: 20261128 },
    );
    // Around 1970 (negative milliseconds before it) and across a second boundary.
    const epoch = 116444736000000000n;
    for (const t of [epoch - 1n, epoch - second, epoch - second - 1n, epoch, epoch + second - 1n, epoch + second, epoch - 1n]) {
      expect(formatFiletime(t), String(t)).toBe(filetimeOracle(t));
    }
  });
});

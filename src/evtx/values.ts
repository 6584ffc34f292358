/**
 * Decoding of the typed values of Windows Binary XML (MS-EVEN6 §3.1.4.7.3 "Type System", libevtx
 * "Value types") into JSON values, rendered the way EVTX-to-JSON converters (evtx_dump) write them:
 *
 * - integers (int8 … uint64, EvtHandle) → JSON numbers (64-bit values beyond 2^53 lose precision
 *   exactly as `JSON.parse` of their decimal rendering would);
 * - real32/real64 → numbers (real32 in its shortest single-precision form; NaN/±∞ → null, as
 *   JSON cannot hold them);
 * - hexint32/hexint64 and size_t → lower-case `0x…` strings without padding (`0x8000000000000000`);
 * - bool → true/false; binary → upper-case hex string; GUID → upper-case `8-4-4-4-12` without
 *   braces; SID → `S-1-5-18`; FILETIME → ISO-8601 UTC with 6 fractional digits
 *   (`2025-10-24T23:34:34.640670Z`, truncated from 100 ns ticks); SYSTEMTIME → the same form;
 * - UTF-16 and ANSI strings → strings up to the first NUL character (the terminator);
 * - the array forms (type | 0x80) → JSON arrays of the element values (strings split at NULs).
 *
 * The BinXml types (0x21, 0x23) are not decoded here: the Binary XML parser handles them, since
 * they nest whole documents. Every decoder takes the chunk buffer and an absolute byte range, and
 * throws {@link EvtxFormatError} when the range cannot hold the type.
 */

/** A scalar value of an event field as JSON holds it. */
export type EvtxScalar = string | number | boolean | null;

/** A decoded substitution or text value: a scalar, or an array of scalars for the array types. */
export type EvtxValue = EvtxScalar | EvtxScalar[];

/** Thrown for malformed input inside a chunk; the reader turns it into a record or chunk warning. */
export class EvtxFormatError extends Error {
  override name = 'EvtxFormatError';
}

/** Binary XML value type codes (MS-EVEN6 §3.1.4.7.3). */
export const ValueType = {
  Null: 0x00,
  String: 0x01,
  AnsiString: 0x02,
  Int8: 0x03,
  UInt8: 0x04,
  Int16: 0x05,
  UInt16: 0x06,
  Int32: 0x07,
  UInt32: 0x08,
  Int64: 0x09,
  UInt64: 0x0a,
  Real32: 0x0b,
  Real64: 0x0c,
  Bool: 0x0d,
  Binary: 0x0e,
  Guid: 0x0f,
  SizeT: 0x10,
  FileTime: 0x11,
  SysTime: 0x12,
  Sid: 0x13,
  HexInt32: 0x14,
  HexInt64: 0x15,
  EvtHandle: 0x20,
  BinXml: 0x21,
  EvtXml: 0x23,
  /** Flag: an array of the base type. */
  Array: 0x80,
} as const;

/** WHATWG `latin1` is windows-1252, the usual ANSI code page of event logs. */
const ansi = new TextDecoder('latin1');

let lastBuf: Uint8Array | undefined;
let lastView: DataView | undefined;
let lastBuffer: Buffer | undefined;

/** A Buffer over the same bytes (Buffer's native UTF-16 decoding is the fastest for short strings). */
function asBuffer(buf: Uint8Array): Buffer {
  if (Buffer.isBuffer(buf)) return buf;
  if (lastBuffer === undefined || lastBuffer.buffer !== buf.buffer || lastBuffer.byteOffset !== buf.byteOffset || lastBuffer.length !== buf.length) {
    lastBuffer = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  return lastBuffer;
}

/**
 * Buffer's own UTF-16 decoder without `toString`'s encoding dispatch (a third of the cost for the
 * short strings of event records); present in every Node version, checked all the same.
 */
type Ucs2Buffer = Buffer & { ucs2Slice?: (start: number, end: number) => string };
const UCS2_SLICE = typeof (Buffer.prototype as Ucs2Buffer).ucs2Slice === 'function';

/** UTF-16LE text of bytes [start, end) (end rounded down to a whole code unit). */
function utf16(buf: Uint8Array, start: number, end: number): string {
  const b = asBuffer(buf) as Ucs2Buffer;
  const stop = start + ((end - start) & ~1);
  return UCS2_SLICE ? (b.ucs2Slice as (start: number, end: number) => string)(start, stop) : b.toString('utf16le', start, stop);
}

/** UTF-16LE text of bytes [start, end) up to its first NUL (most strings end in their terminator: not decoded). */
function utf16z(buf: Uint8Array, start: number, end: number): string {
  let stop = start + ((end - start) & ~1);
  if (stop - start >= 2 && buf[stop - 1] === 0 && buf[stop - 2] === 0) stop -= 2;
  return cutAtNul(utf16(buf, start, stop));
}

function need(buf: Uint8Array, start: number, size: number, what: string): void {
  if (size < 0 || start < 0 || start + size > buf.length) {
    throw new EvtxFormatError(`${what} at offset ${start} (${size} bytes) runs past the end of the chunk`);
  }
}

/** A DataView over `buf`, cached for the last buffer (the reader decodes one chunk at a time). */
function view(buf: Uint8Array): DataView {
  if (buf !== lastBuf || lastView === undefined) {
    lastBuf = buf;
    lastView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  return lastView;
}

/** A string up to its first NUL (substitution strings usually include their terminator). */
function cutAtNul(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** Decodes `size` bytes of UTF-16LE at `start`, up to the first NUL. */
export function decodeUtf16(buf: Uint8Array, start: number, size: number): string {
  need(buf, start, size, 'UTF-16 string');
  return utf16z(buf, start, start + size);
}

/** Splits a NUL-separated string list (the array string types); a final terminator ends the list. */
function splitNulList(s: string): string[] {
  if (s === '') return [];
  const parts = s.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** Upper-case hex of a byte range (binary values). */
export function hexBytes(buf: Uint8Array, start: number, size: number): string {
  need(buf, start, size, 'binary value');
  let s = '';
  for (let i = start; i < start + size; i++) s += HEX[buf[i] as number] as string;
  return s;
}

/** Upper-case hex digits, as character codes. */
const HEX_DIGITS = Buffer.from('0123456789ABCDEF', 'latin1');
/** The text of a GUID being formatted (one string made of it, rather than twenty joined). */
const GUID_TEXT = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');
/** Where each GUID byte's two digits go in {@link GUID_TEXT}, by byte position: three little-endian fields, then 8 bytes as stored. */
const GUID_AT = [6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34];
type Latin1Buffer = Buffer & { latin1Slice?: (start: number, end: number) => string };
const LATIN1_SLICE = typeof (Buffer.prototype as Latin1Buffer).latin1Slice === 'function';

/** A GUID as `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX`: three little-endian fields, then 8 bytes as stored. */
export function formatGuid(buf: Uint8Array, start: number): string {
  need(buf, start, 16, 'GUID');
  for (let i = 0; i < 16; i++) {
    const byte = buf[start + i] as number;
    const at = GUID_AT[i] as number;
    GUID_TEXT[at] = HEX_DIGITS[byte >> 4] as number;
    GUID_TEXT[at + 1] = HEX_DIGITS[byte & 15] as number;
  }
  return LATIN1_SLICE ? ((GUID_TEXT as Latin1Buffer).latin1Slice as (start: number, end: number) => string)(0, 36) : GUID_TEXT.toString('latin1');
}

/** Byte length of the SID at `start` (8 + 4 per sub-authority). */
function sidLength(buf: Uint8Array, start: number): number {
  need(buf, start, 8, 'SID');
  return 8 + 4 * (buf[start + 1] as number);
}

/** A SID as `S-R-A-S1-S2…` (authority in hex when it does not fit 32 bits, as Windows does). */
export function formatSid(buf: Uint8Array, start: number, size: number): string {
  const len = sidLength(buf, start);
  if (len > size) throw new EvtxFormatError(`SID at offset ${start} needs ${len} bytes, has ${size}`);
  need(buf, start, len, 'SID');
  const dv = view(buf);
  let authority = 0;
  for (let i = 0; i < 6; i++) authority = authority * 256 + (buf[start + 2 + i] as number);
  const auth = authority >= 2 ** 32 ? `0x${authority.toString(16).padStart(12, '0').toUpperCase()}` : String(authority);
  let s = `S-${buf[start] as number}-${auth}`;
  for (let i = 0; i < (buf[start + 1] as number); i++) s += `-${dv.getUint32(start + 8 + 4 * i, true)}`;
  return s;
}


/**
 * The whole seconds last formatted, two of them (a record's written time and its TimeCreated):
 * records come in time order, so most times share their second with one of them.
 */
const seconds = { a: NaN, isoA: '', b: NaN, isoB: '' };

/** `n` (0-999) as three digits. */
function digits3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n);
}

/** ISO-8601 UTC from whole milliseconds since 1970 and extra microseconds (0-999). */
function isoMicros(ms: number, micros: number): string {
  // Date's own range (TimeClip): beyond ±8.64e15 ms the time is invalid.
  if (!(Math.abs(ms) <= 8.64e15)) throw new EvtxFormatError(`time value out of range`);
  const sec = Math.floor(ms / 1000);
  let head: string;
  if (sec === seconds.a) head = seconds.isoA;
  else if (sec === seconds.b) head = seconds.isoB;
  else {
    // toISOString: `YYYY-MM-DDTHH:MM:SS.mmmZ`, years outside 0-9999 as ±YYYYYY; the head ends at the seconds.
    head = new Date(sec * 1000).toISOString().slice(0, -5);
    seconds.b = seconds.a;
    seconds.isoB = seconds.isoA;
    seconds.a = sec;
    seconds.isoA = head;
  }
  return `${head}.${digits3(ms - sec * 1000)}${digits3(micros)}Z`;
}

/** 1601-01-01 → 1970-01-01 in milliseconds. */
const EPOCH_DIFF = 11644473600000;

/**
 * FILETIME given as its two 32-bit halves → ISO (see {@link formatFiletime}), in exact double
 * arithmetic: ticks = 10⁴ · (hi · 429496) + r with r = hi · 7296 + lo (2³² = 10⁴ · 429496 + 7296),
 * every term below 2⁵³.
 */
export function formatFiletimeParts(lo: number, hi: number): string {
  // A record's header time and its TimeCreated are mostly the very same FILETIME.
  if (lo === lastFiletime.lo && hi === lastFiletime.hi) return lastFiletime.iso;
  const r = hi * 7296 + lo;
  const ms = hi * 429496 + Math.floor(r / 10000);
  const iso = isoMicros(ms - EPOCH_DIFF, Math.floor((r % 10000) / 10));
  lastFiletime.lo = lo;
  lastFiletime.hi = hi;
  lastFiletime.iso = iso;
  return iso;
}

/** The FILETIME last formatted, and its text. */
const lastFiletime = { lo: NaN, hi: NaN, iso: '' };

/** FILETIME (100 ns ticks since 1601-01-01 UTC) → `YYYY-MM-DDTHH:MM:SS.ffffffZ` (truncated to µs). */
export function formatFiletime(ticks: bigint): string {
  return formatFiletimeParts(Number(ticks & 0xffffffffn), Number((ticks >> 32n) & 0xffffffffn));
}

/** SYSTEMTIME (8 little-endian uint16: year, month, weekday, day, h, m, s, ms) → ISO like FILETIME. */
export function formatSystemtime(buf: Uint8Array, start: number): string {
  need(buf, start, 16, 'SYSTEMTIME');
  const dv = view(buf);
  const w = (i: number): number => dv.getUint16(start + 2 * i, true);
  const ms = Date.UTC(w(0), w(1) - 1, w(3), w(4), w(5), w(6), w(7));
  // Date.UTC maps years 0-99 to 1900-1999; SYSTEMTIME years are literal.
  const d = new Date(ms);
  if (w(0) < 100) d.setUTCFullYear(w(0));
  return isoMicros(d.getTime(), 0);
}

/** The shortest decimal that reads back as the same single-precision float (as serde_json writes f32). */
function shortestFloat32(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  for (let p = 1; p <= 9; p++) {
    const c = Number(x.toPrecision(p));
    if (Math.fround(c) === x) return c;
  }
  return x;
}

/** A float as JSON holds it: null when not finite, and −0 as 0 (so a rendered event equals its JSON round trip). */
function finite(x: number): number | null {
  return Number.isFinite(x) ? (x === 0 ? 0 : x) : null;
}

/** Width in bytes of one element of a fixed-size type, or 0 for variable-size types. */
function fixedWidth(base: number, size: number): number {
  switch (base) {
    case ValueType.Int8:
    case ValueType.UInt8:
      return 1;
    case ValueType.Int16:
    case ValueType.UInt16:
      return 2;
    case ValueType.Int32:
    case ValueType.UInt32:
    case ValueType.Real32:
    case ValueType.Bool:
    case ValueType.HexInt32:
      return 4;
    case ValueType.Int64:
    case ValueType.UInt64:
    case ValueType.Real64:
    case ValueType.FileTime:
    case ValueType.HexInt64:
      return 8;
    case ValueType.Guid:
    case ValueType.SysTime:
      return 16;
    case ValueType.SizeT:
    case ValueType.EvtHandle:
      // Pointer-sized: 8 bytes on 64-bit writers, 4 on 32-bit ones.
      return size % 8 === 0 ? 8 : 4;
    default:
      return 0;
  }
}

/** One fixed-width scalar of type `base` (non-array) at `start`, `width` bytes wide. */
function fixedScalar(buf: Uint8Array, dv: DataView, base: number, start: number, width: number): EvtxScalar {
  switch (base) {
    case ValueType.Int8:
      return dv.getInt8(start);
    case ValueType.UInt8:
      return dv.getUint8(start);
    case ValueType.Int16:
      return dv.getInt16(start, true);
    case ValueType.UInt16:
      return dv.getUint16(start, true);
    case ValueType.Int32:
      return dv.getInt32(start, true);
    case ValueType.UInt32:
      return dv.getUint32(start, true);
    case ValueType.Int64:
      return Number(dv.getBigInt64(start, true));
    case ValueType.UInt64:
      return Number(dv.getBigUint64(start, true));
    case ValueType.Real32:
      return finite(shortestFloat32(dv.getFloat32(start, true)));
    case ValueType.Real64:
      return finite(dv.getFloat64(start, true));
    case ValueType.Bool:
      return dv.getUint32(start, true) !== 0;
    case ValueType.HexInt32:
      return `0x${dv.getUint32(start, true).toString(16)}`;
    case ValueType.HexInt64:
      return `0x${dv.getBigUint64(start, true).toString(16)}`;
    case ValueType.SizeT:
      return `0x${(width === 8 ? dv.getBigUint64(start, true) : dv.getUint32(start, true)).toString(16)}`;
    case ValueType.EvtHandle:
      return width === 8 ? Number(dv.getBigUint64(start, true)) : dv.getUint32(start, true);
    case ValueType.FileTime:
      return formatFiletimeParts(dv.getUint32(start, true), dv.getUint32(start + 4, true));
    case ValueType.SysTime:
      return formatSystemtime(buf, start);
    case ValueType.Guid:
      return formatGuid(buf, start);
    default:
      throw new EvtxFormatError(`value type 0x${base.toString(16)} is not a fixed-size type`);
  }
}

/** The size a non-array value of a fixed type must have (bool, size_t and EvtHandle vary). */
function scalarWidth(base: number, size: number): number {
  if (base === ValueType.Bool && (size === 1 || size === 2 || size === 4 || size === 8)) return size;
  if ((base === ValueType.SizeT || base === ValueType.EvtHandle) && (size === 4 || size === 8)) return size;
  return fixedWidth(base, size);
}

/**
 * Decodes a value of `type` stored in `size` bytes at `start` of `buf` (a whole chunk). The null
 * type gives null, and so does size 0 for the fixed-size types (strings give `''`, arrays `[]`).
 * Throws {@link EvtxFormatError} on sizes the type cannot have. The BinXml types (0x21, 0x23) are
 * not handled here.
 */
export function decodeValue(buf: Uint8Array, type: number, start: number, size: number): EvtxValue {
  // The message only when it is needed (a template literal per value cost a string per value).
  if (size < 0 || start < 0 || start + size > buf.length) need(buf, start, size, `value of type 0x${type.toString(16)}`);
  const base = type & 0x7f;
  const isArray = (type & ValueType.Array) !== 0;
  if (base === ValueType.Null) return null;
  if (base === ValueType.String) {
    return isArray ? splitNulList(utf16(buf, start, start + size)) : utf16z(buf, start, start + size);
  }
  if (base === ValueType.AnsiString) {
    const s = ansi.decode(buf.subarray(start, start + size));
    return isArray ? splitNulList(s) : cutAtNul(s);
  }
  if (base === ValueType.Binary) return hexBytes(buf, start, size);
  if (base === ValueType.Sid) {
    if (!isArray) return size === 0 ? null : formatSid(buf, start, size);
    const out: string[] = [];
    for (let p = start; p < start + size; ) {
      const len = sidLength(buf, p);
      out.push(formatSid(buf, p, start + size - p));
      p += len;
    }
    return out;
  }
  if (base === ValueType.BinXml || base === ValueType.EvtXml) {
    throw new EvtxFormatError(`value type 0x${type.toString(16)} holds Binary XML, not a scalar`);
  }
  const dv = view(buf);
  if (isArray) {
    const width = fixedWidth(base, size);
    if (width === 0) throw new EvtxFormatError(`unknown value type 0x${type.toString(16)}`);
    if (size % width !== 0) throw new EvtxFormatError(`array of type 0x${type.toString(16)} has ${size} bytes, not a multiple of ${width}`);
    const out: EvtxScalar[] = [];
    for (let p = start; p < start + size; p += width) out.push(fixedScalar(buf, dv, base, p, width));
    return out;
  }
  if (size === 0) return null;
  const width = scalarWidth(base, size);
  if (width === 0) throw new EvtxFormatError(`unknown value type 0x${type.toString(16)}`);
  if (size !== width) {
    throw new EvtxFormatError(`value of type 0x${type.toString(16)} has ${size} bytes, expected ${width}`);
  }
  if (base === ValueType.Bool) {
    for (let i = 0; i < size; i++) if (buf[start + i] !== 0) return true;
    return false;
  }
  return fixedScalar(buf, dv, base, start, width);
}

/** The text form of a value inside mixed element content (numbers and booleans as JSON writes them). */
export function valueText(v: EvtxValue): string {
  if (v === null) return '';
  if (Array.isArray(v)) return v.map((x) => (x === null ? '' : String(x))).join(',');
  return String(v);
}

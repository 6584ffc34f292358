/**
 * EVTX chunks and the event records inside them (libevtx "Chunk", "Event record").
 *
 * Technique: a chunk is a self-contained 64 KiB block: a 512-byte header (`ElfChnk\0`, record
 * number/identifier ranges, the free-space offset ending the record area, a CRC32 of the record
 * area and a CRC32 of header bytes 0-119 and 128-511, then the common-string and template offset
 * tables), followed by records laid end to end. Both checksums are verified before any record is
 * trusted. A record is `**\0\0`, its size, its 64-bit identifier, the FILETIME it was written,
 * Binary XML, and the size again; a record whose framing is broken is reported and the scan
 * resynchronises on the next plausible record signature.
 */
import { crc32 } from 'node:zlib';
import { formatFiletimeParts } from './values.js';

/** Size of the chunk header; records start right after it. */
export const CHUNK_HEADER_SIZE = 512;
/** The chunk signature `ElfChnk\0`. */
export const CHUNK_SIGNATURE = Buffer.from('ElfChnk\0', 'latin1');
/** Record signature `**\0\0` read as a little-endian uint32. */
export const RECORD_SIGNATURE = 0x00002a2a;
/** Smallest possible record: 24-byte header plus the trailing size copy. */
const MIN_RECORD = 28;

/** The fields of a chunk header. */
export interface ChunkHeader {
  firstRecordNumber: number;
  lastRecordNumber: number;
  firstRecordId: number;
  lastRecordId: number;
  headerSize: number;
  lastRecordOffset: number;
  /** End of the record area (chunk-relative). */
  freeSpaceOffset: number;
  recordsChecksum: number;
  flags: number;
  checksum: number;
}

/** Result of validating a chunk: its header, or why it cannot be used (`empty` for unused space). */
export type ChunkCheck = { ok: true; header: ChunkHeader } | { ok: false; empty: boolean; reason: string };

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Validates a chunk's signature, header checksum, free-space offset and record-area checksum. */
export function checkChunk(buf: Uint8Array): ChunkCheck {
  if (buf.length < CHUNK_HEADER_SIZE) return { ok: false, empty: false, reason: `chunk is only ${buf.length} bytes` };
  let signatureOk = true;
  let zero = true;
  for (let i = 0; i < CHUNK_SIGNATURE.length; i++) {
    if (buf[i] !== CHUNK_SIGNATURE[i]) signatureOk = false;
    if (buf[i] !== 0) zero = false;
  }
  if (!signatureOk) {
    if (zero && buf.every((b) => b === 0)) return { ok: false, empty: true, reason: 'unused (all zero)' };
    return { ok: false, empty: false, reason: 'bad chunk signature (expected "ElfChnk")' };
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const header: ChunkHeader = {
    firstRecordNumber: Number(dv.getBigUint64(8, true)),
    lastRecordNumber: Number(dv.getBigUint64(16, true)),
    firstRecordId: Number(dv.getBigUint64(24, true)),
    lastRecordId: Number(dv.getBigUint64(32, true)),
    headerSize: dv.getUint32(40, true),
    lastRecordOffset: dv.getUint32(44, true),
    freeSpaceOffset: dv.getUint32(48, true),
    recordsChecksum: dv.getUint32(52, true),
    flags: dv.getUint32(120, true),
    checksum: dv.getUint32(124, true),
  };
  const headerCrc = crc32(buf.subarray(128, CHUNK_HEADER_SIZE), crc32(buf.subarray(0, 120))) >>> 0;
  if (headerCrc !== header.checksum) {
    return { ok: false, empty: false, reason: `chunk header checksum mismatch (stored ${hex(header.checksum)}, computed ${hex(headerCrc)})` };
  }
  if (header.freeSpaceOffset < CHUNK_HEADER_SIZE || header.freeSpaceOffset > buf.length) {
    return { ok: false, empty: false, reason: `free space offset ${hex(header.freeSpaceOffset)} is outside the chunk` };
  }
  const dataCrc = crc32(buf.subarray(CHUNK_HEADER_SIZE, header.freeSpaceOffset)) >>> 0;
  if (dataCrc !== header.recordsChecksum) {
    return {
      ok: false,
      empty: false,
      reason: `event records checksum mismatch (stored ${hex(header.recordsChecksum)}, computed ${hex(dataCrc)})`,
    };
  }
  return { ok: true, header };
}

/** A framed event record inside a chunk (offsets chunk-relative). */
export interface RawRecord {
  kind: 'record';
  offset: number;
  size: number;
  recordId: number;
  /** When the record was written (FILETIME of the record header, ISO). */
  written: string;
  /** Binary XML of the event: [dataStart, dataEnd). */
  dataStart: number;
  dataEnd: number;
}

/** A stretch of the record area that is not a well-framed record. */
export interface BadRecord {
  kind: 'bad';
  offset: number;
  /** The identifier from the record header, when the signature was intact. */
  recordId?: number;
  reason: string;
}

/** Why the record at `p` is not well framed, or undefined when it is. */
function framingProblem(dv: DataView, p: number, end: number): string | undefined {
  if (p + MIN_RECORD > end) return `only ${end - p} bytes left before the end of the record area`;
  if (dv.getUint32(p, true) !== RECORD_SIGNATURE) return 'bad record signature (expected "**\\0\\0")';
  const size = dv.getUint32(p + 4, true);
  if (size < MIN_RECORD || p + size > end) return `record size ${size} does not fit the chunk`;
  if (dv.getUint32(p + size - 4, true) !== size) return `record size ${size} does not match its trailing copy`;
  return undefined;
}

/**
 * The records of a validated chunk, in order, from offset 512 to the free-space offset. A badly
 * framed record yields a {@link BadRecord} and the scan continues at the next offset where a
 * well-framed record starts (or stops when there is none).
 */
export function* chunkRecords(buf: Uint8Array, header: ChunkHeader): Generator<RawRecord | BadRecord> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const end = Math.min(header.freeSpaceOffset, buf.length);
  let p = CHUNK_HEADER_SIZE;
  while (p + MIN_RECORD <= end) {
    const problem = framingProblem(dv, p, end);
    if (problem !== undefined) {
      const bad: BadRecord = { kind: 'bad', offset: p, reason: problem };
      if (dv.getUint32(p, true) === RECORD_SIGNATURE) bad.recordId = Number(dv.getBigUint64(p + 8, true));
      yield bad;
      let q = p + 1;
      while (q + MIN_RECORD <= end && framingProblem(dv, q, end) !== undefined) q++;
      p = q;
      continue;
    }
    const size = dv.getUint32(p + 4, true);
    yield {
      kind: 'record',
      offset: p,
      size,
      recordId: Number(dv.getBigUint64(p + 8, true)),
      written: formatFiletimeParts(dv.getUint32(p + 16, true), dv.getUint32(p + 20, true)),
      dataStart: p + 24,
      dataEnd: p + size - 4,
    };
    p += size;
  }
}

/**
 * The EVTX file header (libevtx "File header"; MS-EVEN6 describes the log only abstractly).
 *
 * Technique: fixed-offset little-endian reads of the first 128 bytes of the 4 KiB header block:
 * the `ElfFile\0` signature, chunk and record counters, the format version, the header block
 * size (where the first 64 KiB chunk starts), the chunk count, the dirty/full flags and a CRC32 of
 * the first 120 bytes. Only the signature is fatal when wrong; the chunks carry their own
 * checksums, so a bad header checksum is reported and reading goes on.
 */
import { crc32 } from 'node:zlib';

/** Size of the file header block; the first chunk starts right after it. */
export const FILE_HEADER_SIZE = 4096;
/** Size of every chunk. */
export const CHUNK_SIZE = 65536;
/** The file signature `ElfFile\0`. */
export const FILE_SIGNATURE = Buffer.from('ElfFile\0', 'latin1');

/** The fields of the EVTX file header. */
export interface EvtxFileHeader {
  firstChunkNumber: number;
  lastChunkNumber: number;
  nextRecordId: number;
  headerSize: number;
  minorVersion: number;
  majorVersion: number;
  /** Where the first chunk starts (4096 in every known file). */
  headerBlockSize: number;
  chunkCount: number;
  flags: number;
  /** Flag 0x1: the log was not closed cleanly. */
  dirty: boolean;
  /** Flag 0x2: the log is full. */
  full: boolean;
  checksum: number;
  /** Whether the stored CRC32 of the first 120 bytes matches. */
  checksumOk: boolean;
}

/** True when `buf` starts with the EVTX file signature. */
export function hasFileSignature(buf: Uint8Array): boolean {
  if (buf.length < FILE_SIGNATURE.length) return false;
  for (let i = 0; i < FILE_SIGNATURE.length; i++) if (buf[i] !== FILE_SIGNATURE[i]) return false;
  return true;
}

/** Parses the header from the file's first bytes (at least 128 of them; check the signature first). */
export function parseFileHeader(buf: Uint8Array): EvtxFileHeader {
  if (buf.length < 128) throw new RangeError(`an EVTX file header needs 128 bytes, got ${buf.length}`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const flags = dv.getUint32(120, true);
  const checksum = dv.getUint32(124, true);
  return {
    firstChunkNumber: Number(dv.getBigUint64(8, true)),
    lastChunkNumber: Number(dv.getBigUint64(16, true)),
    nextRecordId: Number(dv.getBigUint64(24, true)),
    headerSize: dv.getUint32(32, true),
    minorVersion: dv.getUint16(36, true),
    majorVersion: dv.getUint16(38, true),
    headerBlockSize: dv.getUint16(40, true),
    chunkCount: dv.getUint16(42, true),
    flags,
    dirty: (flags & 1) !== 0,
    full: (flags & 2) !== 0,
    checksum,
    checksumOk: crc32(buf.subarray(0, 120)) >>> 0 === checksum,
  };
}

/**
 * Just enough of the zip format to check that an .xlsx is a whole archive and to read its
 * small index parts (xl/workbook.xml and its relationships) before streaming a worksheet.
 * The central directory sits at the end of a zip, so a truncated copy is caught here, before
 * the streaming reader could stall or half-read it. No dependency beyond node:zlib.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';

export class ZipDamage extends Error {}

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;
/** The index parts we read are small; anything bigger is not a workbook index we trust. */
const MAX_INDEX_PART_BYTES = 64 * 1024 * 1024;

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new ZipDamage('the file ends early');
  return buffer;
}

/** The archive's table of contents, from its central directory. */
export async function listZipEntries(path: string): Promise<ZipEntry[]> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size < EOCD_MIN) throw new ZipDamage('the file is too short to be a zip archive');
    const tailLength = Math.min(size, EOCD_MIN + MAX_COMMENT);
    const tail = await readAt(file, size - tailLength, tailLength);
    let eocd = -1;
    for (let i = tail.length - EOCD_MIN; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ZipDamage('the end of the archive is missing: the file was probably cut short while copying or downloading');
    const count = tail.readUInt16LE(eocd + 10);
    const directorySize = tail.readUInt32LE(eocd + 12);
    const directoryOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || directoryOffset === 0xffffffff) throw new ZipDamage('it is a ZIP64 archive, which a workbook never needs');
    if (directoryOffset + directorySize > size - tailLength + eocd) throw new ZipDamage('the archive index points past the end of the file: the file was probably cut short');
    const directory = await readAt(file, directoryOffset, directorySize);
    const entries: ZipEntry[] = [];
    let at = 0;
    for (let n = 0; n < count; n++) {
      if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new ZipDamage('the archive index is corrupt');
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      entries.push({
        name: directory.toString('utf8', at + 46, at + 46 + nameLength),
        method: directory.readUInt16LE(at + 10),
        compressedSize: directory.readUInt32LE(at + 20),
        size: directory.readUInt32LE(at + 24),
        localHeaderOffset: directory.readUInt32LE(at + 42),
      });
      at += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    await file.close();
  }
}

/** One (small) entry's bytes, inflated. */
export async function readZipEntry(path: string, entry: ZipEntry): Promise<Buffer> {
  if (entry.size > MAX_INDEX_PART_BYTES || entry.compressedSize > MAX_INDEX_PART_BYTES) {
    throw new ZipDamage(`${entry.name} is implausibly large`);
  }
  const file = await open(path, 'r');
  try {
    const header = await readAt(file, entry.localHeaderOffset, 30);
    if (header.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new ZipDamage(`the entry for ${entry.name} is corrupt`);
    const dataStart = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    const data = await readAt(file, dataStart, entry.compressedSize);
    if (entry.method === 0) return data;
    if (entry.method !== 8) throw new ZipDamage(`${entry.name} uses compression method ${entry.method}, which Excel never writes`);
    try {
      return inflateRawSync(data);
    } catch (error) {
      throw new ZipDamage(`${entry.name} does not decompress (${error instanceof Error ? error.message : String(error)})`);
    }
  } finally {
    await file.close();
  }
}

/**
 * Random access to the parts of a zip archive (an .xlsx is one), by name, whatever order they
 * are stored in: yauzl reads the central directory at the end of the file and opens any entry
 * on demand; node:zlib inflates it. Every part is checked as it inflates: its size against a
 * cap, a ratio and the size the archive declares (zip bombs), and its CRC-32 (yauzl does not
 * check it; a damaged file must not read as different values).
 */
import { crc32, createInflateRaw } from 'node:zlib';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

/** A problem with the archive itself; the caller turns it into an InputError with a location. */
export class ZipDamage extends Error {}

/** A part that inflates past a limit: refused before it can exhaust memory or time. */
export class ZipTooLarge extends Error {}

export interface ZipArchive {
  /** Part names as stored (OPC part names are compared case-insensitively: see `find`). */
  readonly names: readonly string[];
  /** The stored name of a part, matched case-insensitively, without a leading slash. */
  find(name: string): string | undefined;
  /** A whole (small) part, refused past `maxBytes` inflated. */
  readPart(name: string, maxBytes: number): Promise<Buffer>;
  /** A part as inflated chunks, refused past `maxBytes` or a ratio a real workbook never has. */
  streamPart(name: string, maxBytes: number): AsyncGenerator<Buffer>;
  close(): void;
}

/**
 * Deflate can inflate about 1,000 times at most; real worksheet XML inflates 5 to 100 times.
 * Past this ratio (and past RATIO_CHECK_FROM bytes, so tiny parts never trip it) a part is a bomb.
 */
const MAX_RATIO = 500;
const RATIO_CHECK_FROM = 64 * 1_048_576;

const megabytes = (bytes: number): string => `${Math.round(bytes / 1_048_576).toLocaleString('en-GB')} MB`;

function describeYauzlError(error: Error): string {
  const message = error.message;
  if (/end of central directory record signature not found/i.test(message)) {
    return 'the end of the archive is missing: the file was probably cut short while copying or downloading';
  }
  if (/past the end|out of range|unexpected EOF|invalid (relative )?offset|exceeds file size/i.test(message)) {
    return `the archive index points past the end of the file: the file was probably cut short (${message})`;
  }
  return message;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (error, zip) => {
      if (error !== null || zip === undefined) reject(new ZipDamage(describeYauzlError(error ?? new Error('no archive'))));
      else resolve(zip);
    });
  });
}

function readDirectory(zip: yauzl.ZipFile): Promise<Map<string, yauzl.Entry>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, yauzl.Entry>();
    zip.on('entry', (entry: yauzl.Entry) => {
      // The first of two entries with the same name wins, as in Excel (and the name is never a folder).
      const key = entry.fileName.replace(/^\/+/, '').toLowerCase();
      if (!entry.fileName.endsWith('/') && !entries.has(key)) entries.set(key, entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', (error: Error) => reject(new ZipDamage(`the archive index is corrupt (${describeYauzlError(error)})`)));
    zip.readEntry();
  });
}

/** Inflated chunks this big (zlib's default is 16 KB): a quarter of the async hops per sheet. */
const INFLATE_CHUNK_BYTES = 128 * 1024;

/** The entry's bytes as stored; we inflate them ourselves, in bigger chunks than yauzl would. */
function openRawEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    // decodeFileData (yauzl 3.3+; @types/yauzl predates it): the bytes as stored, compressed or not.
    zip.openReadStream(entry, { decodeFileData: false } as unknown as yauzl.ZipFileOptions, (error, stream) => {
      if (error !== null) reject(new ZipDamage(`${entry.fileName} cannot be read (${describeYauzlError(error)})`));
      else resolve(stream);
    });
  });
}

async function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<{ readonly data: Readable; readonly close: () => void }> {
  const raw = await openRawEntry(zip, entry);
  if (entry.compressionMethod === 0) return { data: raw, close: () => raw.destroy() };
  const inflate = createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES });
  raw.on('error', (error) => inflate.destroy(error));
  raw.pipe(inflate);
  return {
    data: inflate,
    close: () => {
      raw.unpipe(inflate);
      raw.destroy();
      inflate.destroy();
    },
  };
}

function inflateFailure(entry: yauzl.Entry, error: unknown): Error {
  if (error instanceof ZipDamage || error instanceof ZipTooLarge) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ZipDamage(`${entry.fileName} does not decompress (${message})`);
}

/** Opens an archive and reads its directory. Close it when done (every path, errors included). */
export async function openArchive(path: string): Promise<ZipArchive> {
  const zip = await openZip(path);
  let entries: Map<string, yauzl.Entry>;
  try {
    entries = await readDirectory(zip);
  } catch (error) {
    zip.close();
    throw error;
  }
  const names = [...entries.values()].map((entry) => entry.fileName);
  const entryOf = (name: string): yauzl.Entry => {
    const entry = entries.get(name.replace(/^\/+/, '').toLowerCase());
    if (entry === undefined) throw new ZipDamage(`${name} is missing from the archive`);
    return entry;
  };

  async function* streamPart(name: string, maxBytes: number): AsyncGenerator<Buffer> {
    const entry = entryOf(name);
    if (entry.isEncrypted()) throw new ZipDamage(`${entry.fileName} is encrypted inside the zip, which Excel never does`);
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      throw new ZipDamage(`${entry.fileName} uses compression method ${entry.compressionMethod}, which Excel never writes`);
    }
    if (entry.uncompressedSize > maxBytes) {
      throw new ZipTooLarge(`${entry.fileName} is ${megabytes(entry.uncompressedSize)} uncompressed; the limit is ${megabytes(maxBytes)}`);
    }
    const stream = await openEntry(zip, entry);
    let inflated = 0;
    let crc = 0;
    try {
      for await (const chunk of stream.data as AsyncIterable<Buffer>) {
        inflated += chunk.length;
        if (inflated > entry.uncompressedSize) {
          throw new ZipTooLarge(`${entry.fileName} inflates to more than the ${entry.uncompressedSize.toLocaleString('en-GB')} bytes the archive declares (uncompressed size): the workbook is damaged or built to exhaust memory`);
        }
        if (inflated > maxBytes) throw new ZipTooLarge(`${entry.fileName} inflates to more than ${megabytes(maxBytes)} uncompressed: the workbook is too large to read safely`);
        if (inflated > RATIO_CHECK_FROM && inflated > MAX_RATIO * Math.max(1, entry.compressedSize)) {
          throw new ZipTooLarge(`${entry.fileName} inflates to more than ${MAX_RATIO} times its compressed size (uncompressed ${megabytes(inflated)} from ${megabytes(entry.compressedSize)}): the workbook is damaged or built to exhaust memory`);
        }
        crc = crc32(chunk, crc);
        yield chunk;
      }
    } catch (error) {
      throw inflateFailure(entry, error);
    } finally {
      stream.close();
    }
    if (inflated !== entry.uncompressedSize) throw new ZipDamage(`${entry.fileName} is shorter than the archive declares`);
    if (crc !== entry.crc32) throw new ZipDamage(`${entry.fileName} fails its checksum (CRC-32): the file is corrupt`);
  }

  return {
    names,
    find: (name) => entries.get(name.replace(/^\/+/, '').toLowerCase())?.fileName,
    streamPart,
    async readPart(name, maxBytes) {
      const chunks: Buffer[] = [];
      for await (const chunk of streamPart(name, maxBytes)) chunks.push(chunk);
      return Buffer.concat(chunks);
    },
    close: () => zip.close(),
  };
}

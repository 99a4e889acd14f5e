/**
 * A zip file being written, as the workbook writer (write-xlsx.ts) needs it: entries one after
 * another, each either streamed in chunks or given whole. yazl does the zip format and deflates
 * on zlib's thread pool; its CRC-32 (in JavaScript) and feeding zlib run on the calling thread,
 * which is why a big report's whole writer runs on a thread of its own (xlsx-thread.ts).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import yazl from 'yazl';

type Crc32 = (data: Buffer, previous?: number) => number;

/**
 * yazl computes each entry's CRC-32 with buffer-crc32, a table loop in JavaScript: 0.74 s of the
 * writer thread's 4.2 s on a 200,000-row report. Node has the same checksum natively from 20.15
 * (zlib.crc32: the zip polynomial, chained through its second argument, unsigned), about twenty
 * times faster. yazl looks up buffer-crc32's `unsigned` at every call, so its copy is pointed at
 * zlib's; on an older Node it keeps its own. A test checks the zip's CRC against CRC-32's check
 * value, and both functions agree on chained chunks.
 */
function useNativeCrc32(): void {
  const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  if (native === undefined) return;
  const crc = createRequire(import.meta.resolve('yazl'))('buffer-crc32') as { unsigned?: Crc32; nativeUnsigned?: boolean };
  const javascript = crc.unsigned;
  if (typeof javascript !== 'function' || crc.nativeUnsigned === true) return;
  crc.unsigned = (data, previous) => (Buffer.isBuffer(data) ? native(data, previous ?? 0) : javascript(data, previous));
  crc.nativeUnsigned = true;
}
useNativeCrc32();

/**
 * zlib's level for every entry: its fastest. On 100 MB of the report's sheet XML, level 1 took
 * 0.46–0.73 s, level 3 about 1.0 s and the default 6 1.1–2.4 s, for a file a third larger than
 * level 6 makes (11.0 MB against 8.3 MB).
 */
export const ZIP_COMPRESSION_LEVEL = 1;
const ENTRY = { compressionLevel: ZIP_COMPRESSION_LEVEL } as const;
/** Bytes an entry's stream holds before a write waits for the zip. */
const ENTRY_STREAM_BUFFER = 256 * 1024;

export interface ZipEntryStream {
  /** A promise when the zip falls behind: wait for it. Bytes given are the zip's from then on: the caller must not write into them again. */
  write(data: string | Uint8Array): Promise<void> | undefined;
  end(): void;
}

export interface ZipOutput {
  /** An entry streamed in chunks; the zip takes entries in the order added, so end it before streaming another. */
  openEntry(name: string): ZipEntryStream;
  /** An entry given whole (text, or bytes that are the zip's from then on). */
  addText(name: string, content: string | Uint8Array): void;
  /** An entry read from a finished file when the zip reaches it. */
  addFile(name: string, path: string): void;
  /** Finishes the zip; resolves once the file is written and closed. */
  end(): Promise<void>;
  /** Stops writing at once; the caller removes the file. */
  abort(): Promise<void>;
  /** Called once with the first failure (the disk, the folder, the thread). */
  onError(listener: (error: Error) => void): void;
}

/** The zip written on this thread. */
export function zipOutput(path: string): ZipOutput {
  const output = createWriteStream(path);
  const zip = new yazl.ZipFile();
  let failure: Error | undefined;
  const listeners: ((error: Error) => void)[] = [];
  let rejectFailed: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    rejectFailed = reject;
  });
  failed.catch(() => undefined);
  function fail(error: Error): void {
    if (failure !== undefined) return;
    failure = error;
    rejectFailed(error);
    for (const listener of listeners) listener(error);
  }
  // `on`, not `once`: after an abort, the zip may still write into the destroyed stream.
  output.on('error', fail);
  zip.on('error', fail);
  zip.outputStream.pipe(output);

  return {
    openEntry(name) {
      const stream = new PassThrough({ highWaterMark: ENTRY_STREAM_BUFFER });
      zip.addReadStream(stream, name, ENTRY);
      return {
        write(data) {
          // Once failed, nothing more goes in (a stalled zip would never drain).
          if (failure !== undefined) return Promise.reject(failure);
          return stream.write(data) ? undefined : Promise.race([once(stream, 'drain'), failed]).then(() => undefined);
        },
        end: () => stream.end(),
      };
    },
    addText: (name, content) => zip.addBuffer(typeof content === 'string' ? Buffer.from(content) : Buffer.from(content.buffer, content.byteOffset, content.byteLength), name, ENTRY),
    addFile: (name, path) => zip.addReadStreamLazy(name, ENTRY, (use) => use(null, createReadStream(path))),
    async end() {
      if (failure !== undefined) throw failure;
      zip.end();
      if (!output.closed) await Promise.race([once(output, 'close'), failed]);
      if (failure !== undefined) throw failure;
    },
    async abort() {
      zip.outputStream.unpipe(output);
      output.destroy();
      if (!output.closed) await once(output, 'close').catch(() => undefined);
    },
    onError(listener) {
      if (failure !== undefined) listener(failure);
      else listeners.push(listener);
    },
  };
}

/**
 * A zip file being written, as the workbook writer (write-xlsx.ts) needs it: entries one after
 * another, each either streamed in chunks of text or given whole. yazl does the zip format; it
 * deflates on zlib's thread pool, but turning text into UTF-8, its CRC-32 (yazl computes it in
 * JavaScript) and handing chunks to zlib cost the calling thread about as much again as
 * rendering the XML. `zipOutputOnThread` does all of that on a worker thread
 * (zip-output-worker.ts runs `zipOutput` there), so a report written while rows are checked
 * costs the checking thread only the XML. The file is the same either way.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import yazl from 'yazl';
import { startModuleWorker } from './module-worker.js';

/**
 * zlib's level for every entry: its fastest. On 100 MB of the report's sheet XML, level 1 took
 * 0.46–0.73 s, level 3 about 1.0 s and the default 6 1.1–2.4 s, for a file a third larger than
 * level 6 makes (11.0 MB against 8.3 MB).
 */
export const ZIP_COMPRESSION_LEVEL = 1;
const ENTRY = { compressionLevel: ZIP_COMPRESSION_LEVEL } as const;
/** Bytes an entry's stream holds before a write waits for the zip. */
const ENTRY_STREAM_BUFFER = 256 * 1024;
/** Bytes sent to the zip's thread and not yet taken by its zip before a write waits. */
const MAX_BYTES_IN_FLIGHT = 1024 * 1024;

export interface ZipEntryStream {
  /** A promise when the zip falls behind: wait for it. */
  write(data: string | Uint8Array): Promise<void> | undefined;
  end(): void;
}

export interface ZipOutput {
  /** An entry streamed in chunks; the zip takes entries in the order added, so end it before streaming another. */
  openEntry(name: string): ZipEntryStream;
  addText(name: string, text: string): void;
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
    addText: (name, text) => zip.addBuffer(Buffer.from(text), name, ENTRY),
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

/** Main → zip thread. */
export type ZipRequest =
  | { readonly kind: 'entry'; readonly name: string }
  /** UTF-8, transferred (not copied): posting text cost the sending thread more than encoding it. */
  | { readonly kind: 'chunk'; readonly bytes: Uint8Array }
  | { readonly kind: 'end-entry' }
  | { readonly kind: 'text'; readonly name: string; readonly text: string }
  | { readonly kind: 'file'; readonly name: string; readonly path: string }
  | { readonly kind: 'end' }
  | { readonly kind: 'abort' };

/** Zip thread → main: `taken` gives back the size of a chunk the zip has taken. */
export type ZipReply =
  | { readonly kind: 'taken'; readonly bytes: number }
  | { readonly kind: 'ended' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'error'; readonly message: string };

/** The same zip written by a worker thread (see the top of this file). */
export function zipOutputOnThread(path: string): ZipOutput {
  const worker: Worker = startModuleWorker(import.meta.url, 'zip-output-worker', { path });
  let failure: Error | undefined;
  const listeners: ((error: Error) => void)[] = [];
  let bytesInFlight = 0;
  let waiting: { resolve(): void; reject(error: Error): void } | undefined;
  let finishing: { resolve(): void; reject(error: Error): void } | undefined;
  let settled = false;

  function fail(error: Error): void {
    if (failure !== undefined) return;
    failure = error;
    waiting?.reject(error);
    waiting = undefined;
    finishing?.reject(error);
    for (const listener of listeners) listener(error);
  }

  worker.on('message', (reply: ZipReply) => {
    switch (reply.kind) {
      case 'taken':
        bytesInFlight -= reply.bytes;
        if (bytesInFlight <= MAX_BYTES_IN_FLIGHT / 2) {
          waiting?.resolve();
          waiting = undefined;
        }
        break;
      case 'ended':
      case 'aborted':
        settled = true;
        finishing?.resolve();
        break;
      case 'error':
        fail(new Error(reply.message));
        break;
    }
  });
  worker.on('error', (error) => fail(new Error(`the zip's thread stopped: ${error.message}`)));
  worker.on('exit', () => {
    if (!settled) fail(new Error("the zip's thread stopped"));
  });
  const send = (request: ZipRequest): void => worker.postMessage(request);

  function finish(request: ZipRequest): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      finishing = { resolve, reject };
    });
    if (failure !== undefined) finishing?.reject(failure);
    send(request);
    return done.finally(() => worker.terminate());
  }

  return {
    openEntry(name) {
      send({ kind: 'entry', name });
      return {
        write(data) {
          if (failure !== undefined) return Promise.reject(failure);
          // Transferred, not copied: a chunk Buffer.from encoded on its own memory goes as it is;
          // a small one (from Node's shared pool) and bytes given (the caller may reuse them) are copied.
          const encoded = typeof data === 'string' ? Buffer.from(data) : data;
          const bytes = encoded !== data && encoded.byteLength === encoded.buffer.byteLength ? encoded : new Uint8Array(encoded);
          bytesInFlight += bytes.length;
          worker.postMessage({ kind: 'chunk', bytes } satisfies ZipRequest, [bytes.buffer as ArrayBuffer]);
          if (bytesInFlight <= MAX_BYTES_IN_FLIGHT || waiting !== undefined) return undefined;
          return new Promise<void>((resolve, reject) => {
            waiting = { resolve, reject };
          });
        },
        end: () => send({ kind: 'end-entry' }),
      };
    },
    addText: (name, text) => send({ kind: 'text', name, text }),
    addFile: (name, path) => send({ kind: 'file', name, path }),
    end: () => finish({ kind: 'end' }),
    abort: () => finish({ kind: 'abort' }).catch(() => undefined),
    onError(listener) {
      if (failure !== undefined) listener(failure);
      else listeners.push(listener);
    },
  };
}

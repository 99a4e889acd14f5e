/**
 * The workbook writer (write-xlsx.ts) run on a thread of its own, for a big workbook written
 * while this thread has other work (a report written as rows are checked); starting the thread
 * costs tens of milliseconds. Same options, same interface, the same file.
 *
 * This thread only packs each row's values and style into bytes (xlsx-write/row-records.ts)
 * and moves full slabs of them to the writer's thread, which renders the XML, zips and writes
 * the file (xlsx-thread-worker.ts runs `openXlsxWriter` there). On 200,000 report rows the XML
 * is 339 MB: rendering it, encoding it and its CRC-32 cost this thread more than checking the
 * rows did, when the values are a third of that and take one pass to pack. The file is the
 * same either way (a test holds the two byte for byte).
 *
 * What `openXlsxWriter` refuses at once (a row wider than Excel's columns, a committed sheet,
 * a bad maxRowsPerSheet) is refused here at once too; a failure on the writer's thread (the
 * disk, the folder) refuses the next row and rejects `close`, as an OutputError naming the file.
 */
import type { Worker } from 'node:worker_threads';
import { OutputError } from '../errors.js';
import { startModuleWorker } from './module-worker.js';
import { byteOutput, takeAll } from './xlsx-write/bytes.js';
import { DEFAULT_ROWS_PER_SHEET, EXCEL_MAX_COLUMNS, rowLimitOf } from './xlsx-write/limits.js';
import { putRowRecord, recordValues } from './xlsx-write/row-records.js';
import type { DropdownRange, SheetOptions, SheetWriter, XlsxWriter, XlsxWriterOptions } from './write-xlsx.js';

/** Bytes of row records sent and not yet written by the writer's thread before `addRow` asks to wait. */
const MAX_BYTES_IN_FLIGHT = 2 * 1024 * 1024;

/**
 * The writer's thread keeps nothing from row to row but a sheet's notes (at most 20,000 a
 * sheet): a small heap, collected often, so the slabs it has taken are freed soon. Peak RSS of
 * validate 1,000,000 cases with the report: 252 MB uncapped, 237 MB with an 8 MB young
 * generation, 220-227 MB with 4 MB (or 2 MB), in the same time.
 */
const WRITER_HEAP = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 96 } as const;

/** This thread → the writer's. */
export type WriterRequest =
  | { readonly kind: 'sheet'; readonly sheet: number; readonly name: string; readonly options: SheetOptions }
  /** Row records (row-records.ts), transferred. */
  | { readonly kind: 'rows'; readonly bytes: Uint8Array }
  | { readonly kind: 'dropdown'; readonly sheet: number; readonly column: number; readonly choices: readonly string[]; readonly range: DropdownRange | undefined }
  | { readonly kind: 'commit'; readonly sheet: number }
  | { readonly kind: 'close' }
  | { readonly kind: 'discard' };

/** The writer's thread → this one. */
export type WriterReply =
  | { readonly kind: 'taken'; readonly bytes: number }
  | { readonly kind: 'closed' }
  | { readonly kind: 'discarded' }
  | { readonly kind: 'error'; readonly message: string; readonly output: boolean };

export interface WriterThreadData {
  readonly path: string;
  readonly options: { readonly maxRowsPerSheet?: number | undefined };
}

export function openXlsxWriterOnThread(path: string, options: XlsxWriterOptions = {}): XlsxWriter {
  const defaultRowLimit = rowLimitOf(options.maxRowsPerSheet, DEFAULT_ROWS_PER_SHEET, false);
  const worker: Worker = startModuleWorker(import.meta.url, 'xlsx-thread-worker', {
    path,
    options: { maxRowsPerSheet: options.maxRowsPerSheet },
  } satisfies WriterThreadData, WRITER_HEAP);
  const out = byteOutput();
  let failure: Error | undefined;
  let bytesInFlight = 0;
  let waiting: { resolve(): void; reject(error: Error): void } | undefined;
  let finishing: { resolve(): void; reject(error: Error): void } | undefined;
  /** The writer's thread has answered a close or discard (or stopped): nothing more is sent. */
  let settled = false;
  let closed = false;
  let nextSheet = 1;

  function fail(error: Error): void {
    failure ??= error;
    waiting?.reject(failure);
    waiting = undefined;
    finishing?.reject(failure);
  }

  worker.on('message', (reply: WriterReply) => {
    switch (reply.kind) {
      case 'taken':
        bytesInFlight -= reply.bytes;
        if (bytesInFlight <= MAX_BYTES_IN_FLIGHT / 2) {
          waiting?.resolve();
          waiting = undefined;
        }
        break;
      case 'closed':
      case 'discarded':
        settled = true;
        finishing?.resolve();
        break;
      case 'error':
        fail(reply.output ? new OutputError(reply.message) : new Error(reply.message));
        break;
    }
  });
  worker.on('error', (error) => fail(new OutputError(`cannot write ${path}: the workbook's thread stopped (${error.message})`)));
  worker.on('exit', () => {
    if (settled) return;
    settled = true;
    fail(new OutputError(`cannot write ${path}: the workbook's thread stopped`));
  });
  const send = (request: WriterRequest): void => worker.postMessage(request);

  function sendSlabs(slabs: readonly Buffer[]): void {
    for (const bytes of slabs) {
      bytesInFlight += bytes.length;
      // Each slab is alone on its memory (bytes.ts): moved, not copied.
      worker.postMessage({ kind: 'rows', bytes } satisfies WriterRequest, [bytes.buffer as ArrayBuffer]);
    }
  }

  /** A promise to wait on when too many bytes are out (one at a time: whoever waits, waits for all). */
  function backpressure(): Promise<void> | undefined {
    if (bytesInFlight <= MAX_BYTES_IN_FLIGHT || waiting !== undefined) return undefined;
    return new Promise<void>((resolve, reject) => {
      waiting = { resolve, reject };
    });
  }

  /** Rows packed so far go before a request that must follow them. */
  function sendInOrder(request: WriterRequest): void {
    sendSlabs(takeAll(out));
    send(request);
  }

  /** Sends the close or discard and waits for its answer; the thread is stopped either way. */
  function finish(request: WriterRequest): Promise<void> {
    closed = true;
    if (settled) return failure === undefined ? Promise.resolve() : Promise.reject(failure);
    const done = new Promise<void>((resolve, reject) => {
      finishing = { resolve, reject };
    });
    sendInOrder(request);
    return done.finally(() => {
      settled = true;
      void worker.terminate();
    });
  }

  function addSheet(name: string, sheetOptions: SheetOptions = {}): SheetWriter {
    if (closed) throw new Error('The workbook is already closed');
    if (failure !== undefined) throw failure;
    rowLimitOf(sheetOptions.maxRowsPerSheet, defaultRowLimit, sheetOptions.columns !== undefined);
    const sheet = nextSheet;
    nextSheet += 1;
    let committed = false;
    sendInOrder({ kind: 'sheet', sheet, name, options: sheetOptions });
    return {
      addRow(values, style) {
        // Closing commits every sheet, as on the calling thread.
        if (committed || closed) throw new Error(`Sheet "${name}" is already committed`);
        if (failure !== undefined) throw failure;
        if (values.length > EXCEL_MAX_COLUMNS) throw new RangeError(`a row of ${values.length} cells is wider than Excel's ${EXCEL_MAX_COLUMNS} columns`);
        putRowRecord(out, sheet, values, style);
        if (out.full.length === 0) return undefined;
        sendSlabs(out.full.splice(0));
        return backpressure();
      },
      addRecord(record) {
        return this.addRow(recordValues(record), record.style);
      },
      addDropdown(column, choices, range) {
        if (committed || closed) throw new Error(`Sheet "${name}" is already committed`);
        sendInOrder({ kind: 'dropdown', sheet, column, choices, range });
      },
      async commit() {
        if (!committed) {
          committed = true;
          sendInOrder({ kind: 'commit', sheet });
        }
        await new Promise((resolve) => setImmediate(resolve));
      },
    };
  }

  return {
    addSheet,
    async close() {
      if (closed) throw new Error('The workbook is already closed');
      if (failure === undefined) return finish({ kind: 'close' });
      // A failed workbook is not finished: the writer's thread removes what it wrote.
      const failed = failure;
      await finish({ kind: 'discard' }).catch(() => undefined);
      throw failed;
    },
    async discard() {
      await finish({ kind: 'discard' }).catch(() => undefined);
    },
  };
}

/**
 * The writer's thread (xlsx-thread.ts): requests are applied, in the order sent, to an
 * `openXlsxWriter` on this thread. A slab of rows is answered with `taken` once its rows are
 * written and the writer has room again, which is the sending thread's backpressure. After the
 * first failure nothing more is written; it is reported once, and `close` answers with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { OutputError } from '../errors.js';
import { openXlsxWriter, type SheetWriter } from './write-xlsx.js';
import type { WriterReply, WriterRequest, WriterThreadData } from './xlsx-thread.js';
import { readRowRecords } from './xlsx-write/row-records.js';

const port = parentPort;
if (port === null) throw new Error('xlsx-thread-worker runs as a worker thread');
const reply = (message: WriterReply): void => port.postMessage(message);
const { path, options } = workerData as WriterThreadData;
const writer = openXlsxWriter(path, options);
const sheets = new Map<number, SheetWriter>();
let failure: Error | undefined;
let queue = Promise.resolve();

function report(error: unknown): void {
  const known = error instanceof Error ? error : new Error(String(error));
  if (failure !== undefined) return;
  failure = known;
  reply({ kind: 'error', message: known.message, output: known instanceof OutputError });
}

function sheetOf(id: number): SheetWriter {
  const sheet = sheets.get(id);
  if (sheet === undefined) throw new Error(`no sheet ${id} on the writer's thread`);
  return sheet;
}

async function writeRows(bytes: Uint8Array): Promise<void> {
  for (const record of readRowRecords(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) {
    const written = sheetOf(record.sheet).addRecord(record);
    if (written !== undefined) await written;
  }
}

async function apply(request: WriterRequest): Promise<void> {
  switch (request.kind) {
    case 'sheet':
      sheets.set(request.sheet, writer.addSheet(request.name, request.options));
      break;
    case 'rows':
      try {
        if (failure === undefined) await writeRows(request.bytes);
      } finally {
        reply({ kind: 'taken', bytes: request.bytes.length });
      }
      break;
    case 'dropdown':
      sheetOf(request.sheet).addDropdown(request.column, request.choices, request.range);
      break;
    case 'commit':
      await sheetOf(request.sheet).commit();
      break;
    case 'close':
      if (failure !== undefined) throw failure;
      await writer.close();
      reply({ kind: 'closed' });
      break;
    case 'discard':
      await writer.discard().catch(() => undefined);
      reply({ kind: 'discarded' });
      break;
  }
}

port.on('message', (request: WriterRequest) => {
  queue = queue.then(async () => {
    // Once failed, only discard (which removes what was written) still runs; close answers with the failure.
    if (failure !== undefined && request.kind !== 'discard' && request.kind !== 'rows') {
      if (request.kind === 'close') reply({ kind: 'error', message: failure.message, output: failure instanceof OutputError });
      return;
    }
    await apply(request);
  }).catch(report);
});

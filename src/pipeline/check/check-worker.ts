/**
 * A worker thread of the row-checking pool (parallel-check.ts). It rebuilds the very same
 * checker the main thread would use, from plain data sent once (workerData), then checks
 * batches of cells and posts the RowChecks back under the batch's id. It never reads files
 * and keeps no state between batches: order and duplicates are the main thread's business.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getEntity } from '../../entities/index.js';
import type { SourceRow } from '../../io/rows.js';
import { makeRowChecker, type RowCheck } from './check-row.js';
import { mapHeaders } from '../input/mapping.js';
import { encodeChecks, type CheckBatch, type CheckerSetup, type WorkerReply } from './parallel-check.js';

function errorReply(id: number, error: unknown): WorkerReply {
  const failure = error instanceof Error ? error : new Error(String(error));
  return { id, error: { name: failure.name, message: failure.message, stack: failure.stack ?? '' } };
}

function checkBatch(check: (row: SourceRow) => RowCheck, setup: CheckerSetup, batch: CheckBatch): RowCheck[] {
  const checks: RowCheck[] = new Array(batch.cells.length);
  for (let i = 0; i < batch.cells.length; i++) {
    const position = { file: setup.file, sheet: setup.sheet, row: batch.rowNumbers[i] ?? 0 };
    checks[i] = check({ position, cells: batch.cells[i] ?? [] });
  }
  return checks;
}

function serve(): void {
  const port = parentPort;
  if (port === null) throw new Error('check-worker.ts runs only as a worker thread (parallel-check.ts starts it)');
  const setup = workerData as CheckerSetup;
  let check: ((row: SourceRow) => RowCheck) | undefined;
  let setupError: unknown;
  try {
    const entity = getEntity(setup.entity);
    const mapping = mapHeaders(setup.headers, entity, { file: setup.file, sheet: setup.sheet }, setup.mapping);
    check = makeRowChecker(entity, mapping, setup.headers, setup.normalise);
  } catch (error) {
    setupError = error; // reported against the first batch, so the main thread sees it where it waits
  }
  port.on('message', (batch: CheckBatch) => {
    if (check === undefined) {
      port.postMessage(errorReply(batch.id, setupError));
      return;
    }
    let reply: WorkerReply;
    try {
      reply = { id: batch.id, checks: encodeChecks(checkBatch(check, setup, batch), setup.fields) };
    } catch (error) {
      reply = errorReply(batch.id, error);
    }
    port.postMessage(reply);
  });
}

serve();

/**
 * Row checking spread over worker threads. Checking (normalisers, above all libphonenumber)
 * costs two to ten times what reading does, so the main thread reads and parses, hands
 * batches of cells to a pool of workers that run the same `makeRowChecker`, and gets the
 * RowChecks back, in input order, for the duplicate check and the report.
 *
 * - Order: batches are queued in input order and yielded from the head only.
 * - Backpressure: at most `maxPending` batches are out at once; the reader is not pulled
 *   further until the oldest comes back, so memory is flat however long the file is.
 * - The main thread helps: when every worker already has enough queued, it checks the batch
 *   itself with its own checker (the same function), so N workers + main use N + 1 cores.
 * - A worker that throws, fails to start or exits surfaces as an error where the run waits;
 *   every worker is terminated when the iteration ends, normally or not.
 */
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../io/module-worker.js';
import type { CellValue, SourceRow } from '../../io/rows.js';
import type { NormaliseOptions } from '../../normalise/result.js';
import type { CellProblem, RowAction } from '../../outcome/row-outcome.js';
import type { DisplayValue, RowCheck } from './check-row.js';
import type { MappingOverrides } from '../input/mapping.js';

/** What a worker needs to rebuild the run's checker: plain data, cloned once at start. */
export interface CheckerSetup {
  readonly entity: string;
  readonly headers: readonly string[];
  readonly mapping?: MappingOverrides | undefined;
  readonly normalise: NormaliseOptions;
  /** For positions and messages, as the main thread has them. */
  readonly file: string;
  readonly sheet?: string | undefined;
  /** The mapped fields in the checker's order (mapping.sources): how results are packed. */
  readonly fields: readonly string[];
}

/** Main → worker. Positions are rebuilt in the worker from setup.file/sheet + row number. */
export interface CheckBatch {
  readonly id: number;
  readonly rowNumbers: readonly number[];
  readonly cells: ReadonlyArray<readonly CellValue[]>;
}

/** Worker → main. */
export type WorkerReply =
  | { readonly id: number; readonly checks: EncodedChecks }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string; readonly stack: string } };

/**
 * A batch of RowChecks packed for the trip back. Structured clone rebuilds every object
 * property by property and every string one by one, which cost the main thread (the
 * pipeline's bottleneck) about as much as checking the rows itself. So: fields by position
 * instead of keys, every string of the batch in one text with end offsets (one string to
 * copy; the main thread slices it), a display that equals its value sent once. Exact by
 * construction: a row whose values or display hold a key outside `fields` is sent whole.
 */
export interface EncodedChecks {
  readonly rows: number;
  /** Every string (keys, string values, string displays) of the batch, end to end. */
  readonly text: string;
  /** Where each string in `text` ends, in the order the decoder reads them. */
  readonly ends: Uint32Array;
  readonly actions: Uint8Array;
  /** flags[row * fields.length + f]: which of HAS_VALUE… apply to field f of the row. */
  readonly flags: Uint8Array;
  /** Per field, per row: a value that is not a string (number, list, null...). */
  readonly values: unknown[][];
  /** Per field, per row: a display that is neither a string nor the same as the value. */
  readonly display: DisplayValue[][];
  readonly problems: Array<[row: number, problems: CellProblem[]]>;
  readonly whole: Array<[row: number, check: RowCheck]>;
}

const HAS_VALUE = 1;
const HAS_DISPLAY = 2;
const DISPLAY_IS_VALUE = 4;
const VALUE_IN_TEXT = 8;
const DISPLAY_IN_TEXT = 16;
const actionCodes: readonly RowAction[] = ['none', 'create', 'update'];

function onlyKnownKeys(record: Record<string, unknown>, known: ReadonlySet<string>): boolean {
  for (const key in record) if (!known.has(key)) return false;
  return true;
}

export function encodeChecks(checks: readonly RowCheck[], fields: readonly string[]): EncodedChecks {
  const rows = checks.length;
  const known = new Set(fields);
  const strings: string[] = [];
  const ends: number[] = [];
  let length = 0;
  const addText = (text: string) => {
    strings.push(text);
    length += text.length;
    ends.push(length);
  };
  const actions = new Uint8Array(rows);
  const flags = new Uint8Array(rows * fields.length);
  const values = fields.map(() => new Array<unknown>(rows));
  const display = fields.map(() => new Array<DisplayValue>(rows));
  const problems: Array<[number, CellProblem[]]> = [];
  const whole: Array<[number, RowCheck]> = [];
  for (let row = 0; row < rows; row++) {
    const check = checks[row]!;
    if (!onlyKnownKeys(check.values, known) || !onlyKnownKeys(check.display, known) || !actionCodes.includes(check.action)) {
      whole.push([row, check]);
      continue;
    }
    actions[row] = actionCodes.indexOf(check.action);
    addText(check.key);
    if (check.problems.length > 0) problems.push([row, check.problems]);
    for (let f = 0; f < fields.length; f++) {
      const field = fields[f]!;
      let flag = 0;
      if (field in check.values) {
        const value = check.values[field];
        flag |= HAS_VALUE;
        if (typeof value === 'string') {
          flag |= VALUE_IN_TEXT;
          addText(value);
        } else {
          values[f]![row] = value;
        }
      }
      if (field in check.display) {
        const shown = check.display[field]!;
        flag |= HAS_DISPLAY;
        if (flag & HAS_VALUE && Object.is(shown, check.values[field])) flag |= DISPLAY_IS_VALUE;
        else if (typeof shown === 'string') {
          flag |= DISPLAY_IN_TEXT;
          addText(shown);
        } else display[f]![row] = shown;
      }
      flags[row * fields.length + f] = flag;
    }
  }
  return { rows, text: strings.join(''), ends: Uint32Array.from(ends), actions, flags, values, display, problems, whole };
}

/** The RowChecks again, each with its values and display keys in `fields` order (the checker's own order). */
export function decodeChecks(encoded: EncodedChecks, fields: readonly string[]): RowCheck[] {
  const { text, ends } = encoded;
  const checks = new Array<RowCheck>(encoded.rows);
  const problemsAt = new Map(encoded.problems);
  const wholeAt = new Map(encoded.whole);
  let next = 0;
  let start = 0;
  const nextText = (): string => {
    const end = ends[next++]!;
    const piece = text.slice(start, end);
    start = end;
    return piece;
  };
  for (let row = 0; row < encoded.rows; row++) {
    const whole = wholeAt.get(row);
    if (whole !== undefined) {
      checks[row] = whole;
      continue;
    }
    const key = nextText();
    const values: Record<string, unknown> = {};
    const display: Record<string, DisplayValue> = {};
    for (let f = 0; f < fields.length; f++) {
      const flag = encoded.flags[row * fields.length + f]!;
      if (flag === 0) continue;
      const field = fields[f]!;
      if (flag & HAS_VALUE) values[field] = flag & VALUE_IN_TEXT ? nextText() : encoded.values[f]![row];
      if (flag & HAS_DISPLAY) {
        display[field] = flag & DISPLAY_IS_VALUE ? (values[field] as DisplayValue) : flag & DISPLAY_IN_TEXT ? nextText() : encoded.display[f]![row]!;
      }
    }
    checks[row] = { key, action: actionCodes[encoded.actions[row]!]!, values, display, problems: problemsAt.get(row) ?? [] };
  }
  return checks;
}

/** A run of consecutive input rows with their checks (same length, same order). */
export interface CheckedBatch {
  readonly rows: readonly SourceRow[];
  readonly checks: readonly RowCheck[];
}

export interface CheckRowsOptions {
  /** Worker threads; 0 checks every row on the calling thread. */
  readonly threads: number;
  readonly setup: CheckerSetup;
  /** Rows per batch. Default: PARALLEL_BATCH_SIZE with workers, SEQUENTIAL_BATCH_SIZE without. */
  readonly batchSize?: number | undefined;
  /**
   * Start workers only if checking proves costly: the first CALIBRATION_ROWS rows are checked
   * here, timed, and workers take over only when a row's check costs at least
   * WORTH_IT_RATIO × reading it. Set for the default (no --threads given).
   */
  readonly adaptive?: boolean | undefined;
  /** Tests only: another worker script (e.g. one that crashes), used as is. */
  readonly workerScript?: URL | undefined;
}

/**
 * Rows per batch sent to a worker: big enough that messaging is cheap per row, small enough
 * that rows do not wait long on the main thread (rows that outlive two young-generation GCs
 * are promoted and inflate the old generation: measured peak RSS at 1M rows 299 MB with 512,
 * ~265–290 MB with 64–256, no clear difference in time).
 */
export const PARALLEL_BATCH_SIZE = 256;
/** Without workers batches only amortise the async hand-over; keep rows short-lived. */
export const SEQUENTIAL_BATCH_SIZE = 64;
/** Files up to this size are checked on the main thread: starting workers would cost more than they save. */
export const PARALLEL_MIN_BYTES = 2 * 1024 * 1024;
/** Batches queued per worker: enough that a worker never idles while the main thread is busy reading. */
const BATCHES_PER_WORKER = 3;

/** Default thread count: one core is the main thread's; small files stay single-threaded. */
export function autoThreads(fileBytes: number, cores: number = availableParallelism()): number {
  return fileBytes > PARALLEL_MIN_BYTES ? Math.max(1, cores - 1) : 0;
}

/** `requested` (from --threads) wins; undefined means auto, by the file's size. */
export async function threadsFor(requested: number | undefined, file: string): Promise<number> {
  if (requested !== undefined) return requested;
  try {
    return autoThreads((await stat(file)).size);
  } catch {
    return 0; // the reader has its own, better message for an unreadable file
  }
}

/**
 * Rows checked (the first half warms the JIT, the second is timed) before deciding. Measured on
 * 2 cores (dist build): cases time at check ≈ 1.2–2× read over these rows and gain nothing from a
 * worker (moving cells out and checks back costs the main thread as much as it saves; with a
 * worker 1,000,000 rows took 13.5–16.8 s against 12.3–14.6 s without). Phone-heavy contact
 * details time at 5–10× read and run 1.4–1.6× faster than on one thread. 4096 rows at a ratio
 * of 3 let noise send cases to a worker now and then.
 */
export const CALIBRATION_ROWS = 8192;
export const WORTH_IT_RATIO = 4;

/** Every row checked, in input order, in batches: on worker threads when `threads` > 0. */
export function checkRows(
  rows: AsyncIterable<SourceRow>,
  check: (row: SourceRow) => RowCheck,
  options: CheckRowsOptions,
): AsyncIterable<CheckedBatch> {
  if (options.threads > 0 && options.adaptive === true) return checkAdaptively(rows, check, options);
  return options.threads > 0
    ? checkInParallel(rows, check, options, options.batchSize ?? PARALLEL_BATCH_SIZE)
    : checkOnThisThread(rows, check, options.batchSize ?? SEQUENTIAL_BATCH_SIZE);
}

async function* checkAdaptively(
  rows: AsyncIterable<SourceRow>,
  check: (row: SourceRow) => RowCheck,
  options: CheckRowsOptions,
): AsyncGenerator<CheckedBatch> {
  const iterator = rows[Symbol.asyncIterator]();
  let readMs = 0;
  let checkMs = 0;
  let ended = false;
  let handedOver = false;
  try {
    for (let counted = 0; counted < CALIBRATION_ROWS && !ended; ) {
      const batch: SourceRow[] = [];
      const checks: RowCheck[] = [];
      while (batch.length < SEQUENTIAL_BATCH_SIZE) {
        const timed = counted >= CALIBRATION_ROWS / 2;
        const t0 = performance.now();
        const next = await iterator.next();
        const t1 = performance.now();
        if (next.done === true) {
          ended = true;
          break;
        }
        batch.push(next.value);
        checks.push(check(next.value));
        if (timed) {
          readMs += t1 - t0;
          checkMs += performance.now() - t1;
        }
        counted++;
      }
      if (batch.length > 0) yield { rows: batch, checks };
    }
    if (ended) return;
    const rest: AsyncIterable<SourceRow> = { [Symbol.asyncIterator]: () => iterator };
    const worthIt = checkMs >= WORTH_IT_RATIO * readMs;
    handedOver = true; // from here the delegate's for-await closes the reader
    yield* worthIt
      ? checkInParallel(rest, check, options, options.batchSize ?? PARALLEL_BATCH_SIZE)
      : checkOnThisThread(rest, check, options.batchSize ?? SEQUENTIAL_BATCH_SIZE);
  } finally {
    if (!handedOver && !ended) await iterator.return?.();
  }
}

async function* checkOnThisThread(
  rows: AsyncIterable<SourceRow>,
  check: (row: SourceRow) => RowCheck,
  batchSize: number,
): AsyncGenerator<CheckedBatch> {
  let batch: SourceRow[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length === batchSize) {
      yield { rows: batch, checks: batch.map(check) };
      batch = [];
    }
  }
  if (batch.length > 0) yield { rows: batch, checks: batch.map(check) };
}

interface Pending {
  readonly rows: readonly SourceRow[];
  /** Whether `done` has settled (at once for a batch checked on this thread). */
  settled: boolean;
  readonly done: Promise<RowCheck[]>;
}

async function* checkInParallel(
  rows: AsyncIterable<SourceRow>,
  check: (row: SourceRow) => RowCheck,
  options: CheckRowsOptions,
  batchSize: number,
): AsyncGenerator<CheckedBatch> {
  const { threads } = options;
  const pool = startPool(options.setup, threads, options.workerScript); // started on first pull; closed in finally
  const maxPending = threads * BATCHES_PER_WORKER + 2;
  const queue: Pending[] = [];

  const dispatch = (batch: SourceRow[]): Pending => {
    const sent = pool.trySend(batch);
    if (sent === undefined) {
      const checks = batch.map(check);
      return { rows: batch, settled: true, done: Promise.resolve(checks) };
    }
    const pending: Pending = { rows: batch, settled: false, done: sent };
    const settle = () => { pending.settled = true; };
    sent.then(settle, settle); // a failure is rethrown where `done` is awaited
    return pending;
  };

  try {
    let batch: SourceRow[] = [];
    for await (const row of rows) {
      batch.push(row);
      if (batch.length < batchSize) continue;
      queue.push(dispatch(batch));
      batch = [];
      // Hand on whatever is ready (or failed); wait for the oldest only when too much is out.
      while (queue.length > 0 && (queue[0]!.settled || queue.length >= maxPending)) {
        const head = queue.shift()!;
        yield { rows: head.rows, checks: await head.done };
      }
    }
    if (batch.length > 0) queue.push(dispatch(batch));
    while (queue.length > 0) {
      const head = queue.shift()!;
      yield { rows: head.rows, checks: await head.done };
    }
  } finally {
    await pool.close();
  }
}

interface Pool {
  /** Posts the batch to the least busy worker, or returns undefined when all are busy enough. */
  trySend(batch: readonly SourceRow[]): Promise<RowCheck[]> | undefined;
  close(): Promise<void>;
}

interface Waiter {
  readonly firstRow: number;
  readonly lastRow: number;
  resolve(checks: RowCheck[]): void;
  reject(error: Error): void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly waiting: Map<number, Waiter>;
}

/** check-worker next to this module (module-worker.ts), or the script a test gives. */
function spawnWorker(setup: CheckerSetup, script: URL | undefined): Worker {
  if (script !== undefined) return new Worker(script, { workerData: setup });
  return startModuleWorker(import.meta.url, 'check-worker', setup);
}

function rowsOf(waiter: Waiter): string {
  return waiter.firstRow === waiter.lastRow ? `row ${waiter.firstRow}` : `rows ${waiter.firstRow}–${waiter.lastRow}`;
}

function startPool(setup: CheckerSetup, threads: number, script: URL | undefined): Pool {
  let nextId = 1;
  let closing = false;
  /** Once a worker has failed, the run is over: later sends fail at once with the same error. */
  let broken: Error | undefined;

  const failAll = (member: PoolWorker, describe: (waiter: Waiter) => string) => {
    for (const waiter of member.waiting.values()) waiter.reject(new Error(describe(waiter)));
    member.waiting.clear();
  };

  const members: PoolWorker[] = [];
  const join = (index: number): PoolWorker => {
    const worker = spawnWorker(setup, script);
    const member: PoolWorker = { worker, waiting: new Map() };
    worker.on('message', (reply: WorkerReply) => {
      const waiter = member.waiting.get(reply.id);
      if (waiter === undefined) return;
      member.waiting.delete(reply.id);
      if ('checks' in reply) {
        waiter.resolve(decodeChecks(reply.checks, setup.fields));
        return;
      }
      const error = new Error(`checking ${rowsOf(waiter)} in worker thread ${index + 1} failed: ${reply.error.name}: ${reply.error.message}`);
      error.stack = `${error.message}\n--- in the worker ---\n${reply.error.stack}`;
      broken ??= error;
      waiter.reject(error);
    });
    worker.on('error', (error) => {
      broken ??= new Error(`row-checking worker thread ${index + 1} crashed: ${error.message}`, { cause: error });
      failAll(member, (waiter) => `${broken?.message ?? 'crashed'} (while checking ${rowsOf(waiter)})`);
    });
    worker.on('messageerror', (error) => {
      broken ??= new Error(`row-checking worker thread ${index + 1} sent a reply that could not be read: ${error.message}`);
      failAll(member, () => broken?.message ?? 'unreadable reply');
    });
    worker.on('exit', (code) => {
      if (closing) return;
      broken ??= new Error(`row-checking worker thread ${index + 1} stopped unexpectedly (exit code ${code})`);
      failAll(member, (waiter) => `${broken?.message ?? 'stopped'} (while checking ${rowsOf(waiter)})`);
    });
    return member;
  };
  try {
    for (let index = 0; index < threads; index++) members.push(join(index));
  } catch (error) {
    closing = true; // e.g. setup that cannot be cloned: end the workers already started
    for (const member of members) void member.worker.terminate();
    throw error;
  }

  return {
    trySend(batch) {
      if (broken !== undefined) return Promise.reject(broken);
      let least = members[0]!;
      for (const member of members) if (member.waiting.size < least.waiting.size) least = member;
      if (least.waiting.size >= BATCHES_PER_WORKER) return undefined;
      const id = nextId++;
      const message: CheckBatch = { id, rowNumbers: batch.map((r) => r.position.row), cells: batch.map((r) => r.cells) };
      return new Promise<RowCheck[]>((resolve, reject) => {
        least.waiting.set(id, { firstRow: batch[0]?.position.row ?? 0, lastRow: batch.at(-1)?.position.row ?? 0, resolve, reject });
        least.worker.postMessage(message);
      });
    },
    async close() {
      closing = true;
      await Promise.all(members.map((m) => m.worker.terminate()));
    },
  };
}

/**
 * The import journal: one JSON line per event, appended and fsync'd before a row counts as
 * done, so a run killed at any moment can be resumed without sending a row twice.
 *
 *   {"t":"run", ...}                                a run started (file fingerprint, entity)
 *   {"t":"send","row":12,"m":"PUT","before":{..}}   about to send row 12: durable BEFORE the
 *                                                   request leaves, with an update's before-image
 *   {"t":"done","row":12,...}                       row 12's outcome ('unknown' is not final)
 *
 * A `send` with no `done` after it means the outcome is unknown (the process died with the
 * request in flight): resume looks the record up before sending again.
 *
 * One run owns a journal (journal-lock.ts). A torn last record (killed mid-write, disk full)
 * is cut back to the last whole record before anything is appended, and the user is told;
 * damage anywhere else stops the run with the line number. A run without --resume refuses a
 * journal that already records rows.
 *
 * Writes are group-committed: every caller waiting on the same flush shares one fsync, so a
 * durable intent per request costs one fsync per batch, not per row.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { JournalError, OutputError, UsageError } from '../errors.js';
import { ROW_ACTIONS, ROW_STATUSES, type RowAction, type RowStatus } from '../outcome/row-outcome.js';
import { acquireJournalLock } from './journal-lock.js';

/** A JSON object as the journal stores it (a record's fields before or after a write). */
export type JsonObject = { readonly [key: string]: unknown };

const jsonObject = z.record(z.string(), z.unknown());

const doneSchema = z.object({
  t: z.literal('done'),
  row: z.number().int(),
  /** 'unknown': the answer was lost; not final, resume reads the record back first. */
  status: z.enum(ROW_STATUSES),
  action: z.enum(ROW_ACTIONS),
  key: z.string(),
  http: z.number().int().optional(),
  msg: z.string(),
  /** The API's own words when it refused the row (RowOutcome.apiMessage), so a resumed run's report keeps them. */
  api: z.string().optional(),
  /** A failure worth retrying on resume (5xx, network): not final. */
  retry: z.boolean().optional(),
  /** What the record looked like after the write (e.g. MPDX's updated_in_db_at). */
  after: jsonObject.optional(),
});
/** `before`: an update's before-image, durable with the intent, for the revert workbook. */
const sendSchema = z.object({ t: z.literal('send'), row: z.number().int(), m: z.enum(['PUT', 'POST']), at: z.string(), before: jsonObject.optional() });
const runSchema = z.object({ t: z.literal('run'), fingerprint: z.string(), entity: z.string(), file: z.string(), at: z.string() });
const lineSchema = z.discriminatedUnion('t', [doneSchema, sendSchema, runSchema]);

export interface JournalDone {
  t: 'done';
  row: number;
  status: RowStatus;
  action: RowAction;
  key: string;
  http?: number;
  msg: string;
  api?: string;
  retry?: boolean;
  after?: JsonObject;
}

/** One run of the journal: the file it was written for, and when it started. */
export interface JournalRun {
  readonly t: 'run';
  readonly fingerprint: string;
  readonly entity: string;
  readonly file: string;
  readonly at: string;
}

export interface InFlightRow {
  readonly method: 'PUT' | 'POST';
  readonly at: string;
  /** The key recorded with an unknown outcome, if any. */
  readonly key?: string;
}

export interface JournalState {
  /** Rows whose latest record is a final outcome ('unknown' is NOT final: such rows are in inFlight). */
  readonly done: ReadonlyMap<number, JournalDone>;
  /** Rows whose latest record is a `send` with no outcome, or a `done` with status 'unknown': resume reads them back first. */
  readonly inFlight: ReadonlyMap<number, InFlightRow>;
  /** The before-image carried by each row's latest `send` that had one (updates), across every run of the journal. */
  readonly befores: ReadonlyMap<number, JsonObject>;
  /** Keys (uuids, lower-case) recorded as created/updated by any row -> that row. */
  readonly claimed: ReadonlyMap<string, number>;
}

export interface Journal {
  readonly path: string;
  /** What earlier runs recorded (empty for a fresh journal). */
  readonly previous: JournalState;
  /** Resolves once the intent (and an update's before-image) is on disk: only then may the request leave. */
  sending(row: number, method: 'PUT' | 'POST', before?: JsonObject): Promise<void>;
  /** Resolves once the outcome is on disk. */
  done(entry: Omit<JournalDone, 't'>): Promise<void>;
  /** Flushes, closes and releases the lock. */
  close(): Promise<void>;
}

export interface OpenJournalOptions {
  readonly fingerprint: string;
  readonly entity: string;
  readonly file: string;
  readonly resume: boolean;
  /** Things the user should know that do not stop the run (a lock taken over, a torn record cut off). */
  readonly onNotice?: ((message: string) => void) | undefined;
}

/** sha256 of the whole input: resume only ever continues the same file. */
export async function fingerprintFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  const { size } = await stat(path);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `${size}:${hash.digest('hex')}`;
}

type JournalRecord = z.infer<typeof lineSchema>;

/** Folds records, oldest first, into what a resumed run and the revert workbook need. */
function stateFolder(): { add(record: JournalRecord): void; readonly runs: JournalRun[]; readonly state: JournalState } {
  const runs: JournalRun[] = [];
  const done = new Map<number, JournalDone>();
  const inFlight = new Map<number, InFlightRow>();
  const befores = new Map<number, JsonObject>();
  const claimed = new Map<string, number>();
  const lastSend = new Map<number, { method: 'PUT' | 'POST'; at: string }>();
  let runAt = '';
  return {
    runs,
    state: { done, inFlight, befores, claimed },
    add(record) {
      if (record.t === 'run') {
        runs.push(record);
        runAt = record.at;
      } else if (record.t === 'send') {
        lastSend.set(record.row, { method: record.m, at: record.at });
        // The latest record wins: a row re-sent by a resume is in flight again, whatever came before.
        done.delete(record.row);
        inFlight.set(record.row, { method: record.m, at: record.at });
        if (record.before !== undefined) befores.set(record.row, record.before);
      } else if (record.status === 'unknown') {
        done.delete(record.row);
        const send = lastSend.get(record.row);
        inFlight.set(record.row, {
          method: send?.method ?? (record.action === 'create' ? 'POST' : 'PUT'),
          at: send?.at ?? runAt,
          ...(record.key !== '' ? { key: record.key } : {}),
        });
      } else {
        inFlight.delete(record.row);
        done.set(record.row, record);
        // First claim wins: a later row naming the same record does not take it over.
        if (record.status === 'sent' && record.key !== '' && record.action !== 'none') {
          const key = record.key.toLowerCase();
          if (!claimed.has(key)) claimed.set(key, record.row);
        }
      }
    },
  };
}

function emptyState(): JournalState {
  return { done: new Map(), inFlight: new Map(), befores: new Map(), claimed: new Map() };
}

const NEWLINE = 0x0a;

/** What a journal's bytes say, and where its last whole record ends when a torn one follows it. */
export interface ParsedJournal {
  readonly runs: JournalRun[];
  readonly state: JournalState;
  /** Bytes read. */
  readonly size: number;
  /** The last record was torn: it starts on this 1-based line, and the file should end at `keepBytes`. */
  readonly torn?: { readonly line: number; readonly keepBytes: number } | undefined;
}

function describeProblem(error: unknown): string {
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    return `not a journal record${issue !== undefined && issue.path.length > 0 ? ` (${issue.path.join('.')}: ${issue.message})` : ''}`;
  }
  return 'not valid JSON';
}

export function damaged(path: string, line: number, problem: string): JournalError {
  return new JournalError(
    `journal ${path}: line ${line} is damaged (${problem}); plannr-bulk will not guess which rows it recorded. ` +
      'The journal is one JSON record per line: repair that line if you can tell what it said, then run again',
  );
}

/**
 * Parses a journal, chunk by chunk (only the state is kept, never the whole file). Only the
 * last record may be torn (no newline after it, or the last line is not JSON): a crash or a
 * full disk stops a write part-way, and such a record was never acknowledged, so nothing was
 * sent on its strength. Any other bad line is damage.
 */
export async function parseJournal(chunks: AsyncIterable<Buffer>, path: string): Promise<ParsedJournal> {
  const folder = stateFolder();
  let carry: Buffer = Buffer.alloc(0);
  let carryStart = 0; // file offset of carry[0]
  let line = 0; // 1-based number of the last whole line seen
  /** A whole line that is not JSON: torn only if no other record follows it. */
  let notJson: { line: number; start: number; problem: string } | undefined;
  for await (const chunk of chunks) {
    const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE, start); end >= 0; end = bytes.indexOf(NEWLINE, start)) {
      line += 1;
      const text = bytes.toString('utf8', start, end);
      const lineStart = carryStart + start;
      start = end + 1;
      if (text.trim() === '') continue;
      if (notJson !== undefined) throw damaged(path, notJson.line, notJson.problem);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        notJson = { line, start: lineStart, problem: describeProblem(error) };
        continue;
      }
      const record = lineSchema.safeParse(json);
      if (!record.success) throw damaged(path, line, describeProblem(record.error));
      folder.add(record.data);
    }
    carry = bytes.subarray(start);
    carryStart += start;
  }
  const size = carryStart + carry.length;
  let torn: ParsedJournal['torn'];
  if (carry.length > 0) {
    // The last line has no newline: torn, whatever it holds. A bad whole line before it is damage.
    if (notJson !== undefined) throw damaged(path, notJson.line, notJson.problem);
    torn = { line: line + 1, keepBytes: carryStart };
  } else if (notJson !== undefined) {
    torn = { line: notJson.line, keepBytes: notJson.start };
  }
  return { runs: folder.runs, state: folder.state, size, torn };
}

async function* bytesOf(path: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) yield chunk as Buffer;
  } catch (error) {
    throw new OutputError(`cannot read the journal ${path}: ${(error as Error).message}`);
  }
}

/** Read-only, takes no lock: for the revert workbook and reports. A torn last record is left out (not cut). */
export async function readJournal(path: string): Promise<{ runs: JournalRun[]; state: JournalState }> {
  const { runs, state } = await parseJournal(bytesOf(path), path);
  return { runs, state };
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** Rows with any record (a send or an outcome). */
function recordedRows(state: JournalState): number {
  const rows = new Set<number>(state.done.keys());
  for (const row of state.inFlight.keys()) rows.add(row);
  return rows.size;
}

function checkResumable(path: string, runs: readonly JournalRun[], run: OpenJournalOptions): void {
  if (runs.length === 0) throw new UsageError(`--resume: journal ${path} has no run in it`);
  for (const earlier of runs) {
    if (earlier.fingerprint !== run.fingerprint) {
      throw new UsageError(`--resume: ${run.file} is not the file journal ${path} was written for (${earlier.file}); it has changed or is another file`);
    }
    if (earlier.entity !== run.entity) throw new UsageError(`--resume: journal ${path} is for --entity ${earlier.entity}, not ${run.entity}`);
  }
}

/** A new file's name is durable only once its folder is synced (not possible everywhere: best effort). */
async function syncFolder(path: string): Promise<void> {
  const folder = await open(dirname(path), 'r').catch(() => undefined);
  if (folder === undefined) return;
  await folder.sync().catch(() => undefined);
  await folder.close();
}

/**
 * Opens a journal for one run: takes its lock, reads what earlier runs recorded, cuts off a
 * torn last record, and appends this run's `run` record.
 */
export async function openJournal(path: string, run: OpenJournalOptions): Promise<Journal> {
  const lock = await acquireJournalLock(path, run.onNotice);
  let handle: FileHandle | undefined;
  try {
    const exists = await stat(path).then(
      () => true,
      (error: unknown) => {
        if (errorCode(error) === 'ENOENT') return false;
        throw new OutputError(`cannot read the journal ${path}: ${(error as Error).message}`);
      },
    );
    if (run.resume && !exists) throw new UsageError(`--resume: journal ${path} does not exist; run without --resume to start`);
    const parsed: ParsedJournal = exists ? await parseJournal(bytesOf(path), path) : { runs: [], state: emptyState(), size: 0 };
    const { runs, state } = parsed;
    const rows = recordedRows(state);
    if (run.resume) {
      checkResumable(path, runs, run);
    } else if (rows > 0) {
      throw new JournalError(
        `journal ${path} already records ${rows} row${rows === 1 ? '' : 's'} of an earlier run: ` +
          'add --resume to continue that run, or choose another --journal',
      );
    }

    handle = await open(path, 'a');
    if (!exists) await syncFolder(path);
    let size = parsed.size;
    // A plain run keeps nothing of a journal that records no rows (earlier runs stopped before sending).
    const keepBytes = !run.resume ? 0 : parsed.torn?.keepBytes;
    if (keepBytes !== undefined && keepBytes < size) {
      await handle.truncate(keepBytes);
      await handle.sync();
      size = keepBytes;
    }
    if (parsed.torn !== undefined) {
      run.onNotice?.(`journal ${path}: the last record (line ${parsed.torn.line}) was incomplete, probably from a crash; it was cut off`);
    }
    return await appendingJournal(path, handle, size, run.resume ? state : emptyState(), lock, run);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await lock.release();
    throw error;
  }
}

async function appendingJournal(
  path: string,
  handle: FileHandle,
  initialSize: number,
  previous: JournalState,
  lock: { release(): Promise<void> },
  run: OpenJournalOptions,
): Promise<Journal> {
  /** Bytes of whole, durable records: a failed write is cut back to here so the next starts on a clean line. */
  let size = initialSize;
  let pending: string[] = [];
  let waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  let flushing: Promise<void> | undefined;
  let closed: Promise<void> | undefined;

  const flush = async (): Promise<void> => {
    while (pending.length > 0) {
      const text = pending.join('');
      const batch = waiters;
      pending = [];
      waiters = [];
      try {
        await handle.appendFile(text);
        await handle.sync();
        size += Buffer.byteLength(text);
        for (const w of batch) w.resolve();
      } catch (error) {
        // A short write (disk full) leaves part of a record: remove it, or the next append would damage the journal.
        await handle.truncate(size).catch(() => undefined);
        for (const w of batch) w.reject(new OutputError(`cannot write the journal ${path}: ${(error as Error).message}`));
      }
    }
    flushing = undefined;
  };
  const append = (line: object): Promise<void> =>
    new Promise((resolve, reject) => {
      if (closed !== undefined) {
        reject(new Error(`journal ${path} is already closed`));
        return;
      }
      pending.push(`${JSON.stringify(line)}\n`);
      waiters.push({ resolve, reject });
      // Start a flush on the next tick so concurrent callers share it (group commit).
      flushing ??= new Promise<void>((r) => setImmediate(r)).then(flush);
    });

  await append({ t: 'run', fingerprint: run.fingerprint, entity: run.entity, file: run.file, at: new Date().toISOString() });

  return {
    path,
    previous,
    sending: (row, method, before) =>
      append({ t: 'send', row, m: method, at: new Date().toISOString(), ...(before !== undefined ? { before } : {}) }),
    done: (entry) => append({ t: 'done', ...entry }),
    close() {
      closed ??= (async () => {
        try {
          await flushing;
          await handle.close();
        } finally {
          await lock.release();
        }
      })();
      return closed;
    },
  };
}

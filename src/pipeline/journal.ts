/**
 * The import journal: one JSON line per event, appended and fsync'd before a row counts as
 * done, so a run killed at any moment can be resumed without sending a row twice.
 *
 *   {"t":"run", ...}                    a run started (file fingerprint, entity)
 *   {"t":"send","row":12,"m":"POST"}    about to send row 12: durable BEFORE the request leaves
 *   {"t":"done","row":12,...}           row 12's final outcome
 *
 * A `send` with no `done` after it means the outcome is unknown (the process died with the
 * request in flight): resume looks the record up before sending again.
 *
 * Writes are group-committed: every caller waiting on the same flush shares one fsync, so a
 * durable intent per request costs one fsync per batch, not per row.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../errors.js';

/** A JSON object as the journal stores it (a record's fields before or after a write). */
export type JsonObject = { readonly [key: string]: unknown };

const jsonObject = z.record(z.string(), z.unknown());

const doneSchema = z.object({
  t: z.literal('done'),
  row: z.number().int(),
  /** 'unknown': the answer was lost; not final, resume reads the record back first. */
  status: z.enum(['sent', 'failed', 'skipped', 'invalid', 'valid', 'unknown']),
  action: z.enum(['create', 'update', 'none']),
  key: z.string(),
  http: z.number().int().optional(),
  msg: z.string(),
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
  status: 'sent' | 'failed' | 'skipped' | 'invalid' | 'valid' | 'unknown';
  action: 'create' | 'update' | 'none';
  key: string;
  http?: number;
  msg: string;
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
export function journalStateOf(records: Iterable<JournalRecord>): { runs: JournalRun[]; state: JournalState } {
  const runs: JournalRun[] = [];
  const done = new Map<number, JournalDone>();
  const inFlight = new Map<number, InFlightRow>();
  const befores = new Map<number, JsonObject>();
  const claimed = new Map<string, number>();
  const lastSend = new Map<number, { method: 'PUT' | 'POST'; at: string }>();
  let runAt = '';
  for (const record of records) {
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
  }
  return { runs, state: { done, inFlight, befores, claimed } };
}

function emptyState(): JournalState {
  return { done: new Map(), inFlight: new Map(), befores: new Map(), claimed: new Map() };
}

/** Read-only, takes no lock: for the revert workbook and reports. */
export async function readJournal(path: string): Promise<{ runs: JournalRun[]; state: JournalState }> {
  const text = await readFile(path, 'utf8');
  const records: JournalRecord[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      records.push(lineSchema.parse(JSON.parse(line)));
    } catch {
      // Only the very last line may be torn (killed mid-write); anything else is a damaged journal.
      if (index >= lines.length - 2) return;
      throw new UsageError(`journal ${path}: line ${index + 1} is damaged; it cannot be used to resume`);
    }
  });
  return journalStateOf(records);
}

export async function openJournal(path: string, run: OpenJournalOptions): Promise<Journal> {
  let previous: JournalState = emptyState();
  const exists = await stat(path).then(() => true, () => false);
  if (run.resume) {
    if (!exists) throw new UsageError(`--resume: journal ${path} does not exist; run without --resume to start`);
    const { runs, state } = await readJournal(path);
    const first = runs[0];
    if (first === undefined) throw new UsageError(`--resume: journal ${path} has no run in it`);
    if (first.fingerprint !== run.fingerprint) {
      throw new UsageError(`--resume: ${run.file} is not the file journal ${path} was written for (${first.file}); it has changed or is another file`);
    }
    if (first.entity !== run.entity) throw new UsageError(`--resume: journal ${path} is for --entity ${first.entity}, not ${run.entity}`);
    previous = state;
  } else if (exists) {
    const { state } = await readJournal(path).catch(() => ({ state: emptyState() }));
    if (state.done.size > 0) {
      throw new UsageError(`journal ${path} already records ${state.done.size} rows: add --resume to continue that run, or choose another --journal`);
    }
  }

  const handle: FileHandle = await open(path, 'a');
  let pending: string[] = [];
  let waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  let flushing: Promise<void> | undefined;

  const flush = async (): Promise<void> => {
    while (pending.length > 0) {
      const lines = pending;
      const batch = waiters;
      pending = [];
      waiters = [];
      try {
        await handle.appendFile(lines.join(''));
        await handle.sync();
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    flushing = undefined;
  };
  const append = (line: object): Promise<void> =>
    new Promise((resolve, reject) => {
      pending.push(`${JSON.stringify(line)}\n`);
      waiters.push({ resolve, reject });
      // Start a flush on the next tick so concurrent callers share it (group commit).
      flushing ??= new Promise<void>((r) => setImmediate(r)).then(flush);
    });

  await append({ t: 'run', fingerprint: run.fingerprint, entity: run.entity, file: run.file, at: new Date().toISOString() });

  return {
    path,
    previous,
    sending: (row, method, before) => append({ t: 'send', row, m: method, at: new Date().toISOString(), ...(before !== undefined ? { before } : {}) }),
    done: (entry) => append({ t: 'done', ...entry }),
    async close() {
      await flushing;
      await handle.close();
    },
  };
}

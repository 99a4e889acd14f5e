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

const doneSchema = z.object({
  t: z.literal('done'),
  row: z.number().int(),
  status: z.enum(['sent', 'failed', 'skipped', 'invalid', 'valid']),
  action: z.enum(['create', 'update', 'none']),
  key: z.string(),
  http: z.number().int().optional(),
  msg: z.string(),
  /** A failure worth retrying on resume (5xx, network): not final. */
  retry: z.boolean().optional(),
});
const sendSchema = z.object({ t: z.literal('send'), row: z.number().int(), m: z.enum(['PUT', 'POST']), at: z.string() });
const runSchema = z.object({ t: z.literal('run'), fingerprint: z.string(), entity: z.string(), file: z.string(), at: z.string() });
const lineSchema = z.discriminatedUnion('t', [doneSchema, sendSchema, runSchema]);

export type JournalDone = z.infer<typeof doneSchema>;

export interface JournalState {
  /** Rows with a final outcome (the last one recorded wins). */
  readonly done: ReadonlyMap<number, JournalDone>;
  /** Rows that were being sent when the earlier run stopped, with no outcome recorded: method and when. */
  readonly inFlight: ReadonlyMap<number, { readonly method: 'PUT' | 'POST'; readonly at: string }>;
}

export interface Journal {
  readonly path: string;
  /** What earlier runs recorded (empty for a fresh journal). */
  readonly previous: JournalState;
  /** Resolves once the intent is on disk. */
  sending(row: number, method: 'PUT' | 'POST'): Promise<void>;
  /** Resolves once the outcome is on disk. */
  done(entry: Omit<JournalDone, 't'>): Promise<void>;
  close(): Promise<void>;
}

/** sha256 of the whole input: resume only ever continues the same file. */
export async function fingerprintFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  const { size } = await stat(path);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `${size}:${hash.digest('hex')}`;
}

export async function readJournal(path: string): Promise<{ runs: Array<z.infer<typeof runSchema>>; state: JournalState }> {
  const text = await readFile(path, 'utf8');
  const done = new Map<number, JournalDone>();
  const inFlight = new Map<number, { method: 'PUT' | 'POST'; at: string }>();
  const runs: Array<z.infer<typeof runSchema>> = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let parsed: z.infer<typeof lineSchema>;
    try {
      parsed = lineSchema.parse(JSON.parse(line));
    } catch {
      // Only the very last line may be torn (killed mid-write); anything else is a damaged journal.
      if (index >= lines.length - 2) return;
      throw new UsageError(`journal ${path}: line ${index + 1} is damaged; it cannot be used to resume`);
    }
    if (parsed.t === 'run') runs.push(parsed);
    else if (parsed.t === 'send') inFlight.set(parsed.row, { method: parsed.m, at: parsed.at });
    else {
      inFlight.delete(parsed.row);
      done.set(parsed.row, parsed);
    }
  });
  return { runs, state: { done, inFlight } };
}

export async function openJournal(
  path: string,
  run: { fingerprint: string; entity: string; file: string; resume: boolean },
): Promise<Journal> {
  let previous: JournalState = { done: new Map(), inFlight: new Map() };
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
    const { state } = await readJournal(path).catch(() => ({ state: { done: new Map() } }));
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
    sending: (row, method) => append({ t: 'send', row, m: method, at: new Date().toISOString() }),
    done: (entry) => append({ t: 'done', ...entry }),
    async close() {
      await flushing;
      await handle.close();
    },
  };
}

/**
 * One run owns a journal: `<journal>.lock`, created exclusively (`wx`), holds the owner's pid,
 * host and start time. A second import or `--resume` on the same journal is refused, naming
 * the holder. A lock left by a process that died (same host, pid gone) is taken over, and
 * the caller is told so.
 *
 * Taking over is race-safe: several runs may find the same stale lock at once, so each must
 * first create a claim file named after that lock's exact content (`wx` again). Only one claim
 * can exist per stale lock; its winner checks the lock still holds that content, removes it
 * and creates its own. The others then find a live holder and are refused.
 *
 * A lock on another host is never taken over (its pid means nothing here), and a lock whose
 * content cannot be read is treated as held: the message names the file to delete.
 */
import { createHash } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { JournalError, OutputError, PlannrBulkError } from '../errors.js';
import { isRunning as processIsAlive } from '../io/atomic-file.js';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  /**
   * The pid of the bin that started this run in a bounded-heap child (cli/heap.ts), if any: the
   * process a user sees and kills. A run whose launcher is gone is going away (the child kills
   * itself when its launcher's channel closes), so its lock is waited for, then taken over.
   */
  readonly launcher?: number;
}

/** Set by cli/heap.ts in the child it starts: the launcher's pid. */
const LAUNCHER_ENV = 'PLANNR_BULK_LAUNCHER_PID';
/** How long a run whose launcher died is given to exit before its lock counts as in use. */
const ORPHAN_GRACE_MS = 3_000;

function launcherOfThisProcess(): number | undefined {
  const value = Number(process.env[LAUNCHER_ENV]);
  return Number.isInteger(value) && value > 0 && value === process.ppid ? value : undefined;
}

export interface JournalLock {
  readonly path: string;
  /** Removes the lock file (only if it is still ours). Safe to call twice. */
  release(): Promise<void>;
}

/** A lock file being written by its creator may be empty for a moment: look again this often, this many times. */
const SETTLE_MS = 20;
const SETTLE_TRIES = 10;
/** A takeover in progress elsewhere finishes in well under this many rounds. */
const MAX_ROUNDS = 50;

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function parseHolder(text: string): LockHolder | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, host, startedAt, launcher } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || typeof host !== 'string' || typeof startedAt !== 'string') return undefined;
    return typeof launcher === 'number' && Number.isInteger(launcher) ? { pid, host, startedAt, launcher } : { pid, host, startedAt };
  } catch {
    return undefined;
  }
}

/** Creates `path` exclusively with `text` in it; false if it already exists. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/** The lock's content, waiting briefly while its creator is still writing it; undefined when it is gone. */
async function readSettled(path: string): Promise<string | undefined> {
  for (let attempt = 0; ; attempt += 1) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    if (parseHolder(text) !== undefined || attempt >= SETTLE_TRIES) return text;
    await delay(SETTLE_MS);
  }
}

function inUse(journal: string, lockPath: string, holder: LockHolder, here: string): JournalError {
  // Another machine's run cannot be seen from here (nor can this machine under an earlier name, e.g. a container).
  const elsewhere = holder.host === here ? '' : `; if no import or --resume is running on ${holder.host}, delete ${lockPath} and run again`;
  return new JournalError(
    `journal ${journal} is in use by pid ${holder.pid}${holder.launcher === undefined ? '' : ` (started by plannr-bulk pid ${holder.launcher})`} on host ${holder.host} since ${holder.startedAt} ` +
      `(another import or --resume is running); wait for it to finish${elsewhere}`,
  );
}

/**
 * Lock texts this process has written (being created, or held), with how many acquisitions
 * use each (two in the same millisecond write the same text). A lock naming our own pid that
 * is not one of these was left by an earlier process that had the same pid (a restarted
 * container often reuses small pids): it is stale, not ours.
 */
const ownTexts = new Map<string, number>();

function ownText(text: string, change: 1 | -1): void {
  const count = (ownTexts.get(text) ?? 0) + change;
  if (count > 0) ownTexts.set(text, count);
  else ownTexts.delete(text);
}

function holderIsRunning(holder: LockHolder, text: string): boolean {
  if (holder.pid === process.pid) return ownTexts.has(text);
  return processIsAlive(holder.pid);
}

/**
 * Whether the holder still runs, giving one whose launcher was killed (kill -9 on the bin) the
 * moment it needs to notice and exit, so a --resume straight after such a kill is not refused.
 */
async function holderStaysRunning(holder: LockHolder, text: string): Promise<boolean> {
  if (!holderIsRunning(holder, text)) return false;
  if (holder.launcher === undefined || processIsAlive(holder.launcher)) return true;
  for (let waited = 0; waited < ORPHAN_GRACE_MS; waited += SETTLE_MS * 5) {
    await delay(SETTLE_MS * 5);
    if (!holderIsRunning(holder, text)) return false;
  }
  return true;
}

function claimPathOf(lockPath: string, staleText: string): string {
  return `${lockPath}.takeover-${createHash('sha256').update(staleText).digest('hex').slice(0, 16)}`;
}

/**
 * Takes the lock of `journal` (`<journal>.lock`), or throws a JournalError naming the holder.
 * `onNotice` hears about a stale lock taken over.
 */
export async function acquireJournalLock(journal: string, onNotice?: (message: string) => void): Promise<JournalLock> {
  const lockPath = `${journal}.lock`;
  const launcher = launcherOfThisProcess();
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), ...(launcher === undefined ? {} : { launcher }) };
  const myText = `${JSON.stringify(me)}\n`;
  // Registered before the file exists: another acquisition in this process may read it half-made.
  ownText(myText, 1);
  try {
    const { tookOver } = await createOrTakeOver(journal, lockPath, me, myText);
    if (tookOver !== undefined) onNotice?.(`journal ${journal}: took over the lock of pid ${tookOver.pid}, which is no longer running`);
    return holdLock(lockPath, myText);
  } catch (error) {
    ownText(myText, -1);
    if (error instanceof PlannrBulkError) throw error;
    throw new OutputError(`cannot use the journal lock ${lockPath}: ${(error as Error).message}`);
  }
}

async function createOrTakeOver(journal: string, lockPath: string, me: LockHolder, myText: string): Promise<{ tookOver?: LockHolder }> {
  let tookOver: LockHolder | undefined;
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    try {
      if (await createExclusive(lockPath, myText)) return { tookOver };
    } catch (error) {
      throw new OutputError(`cannot create the journal lock ${lockPath}: ${(error as Error).message}`);
    }
    const text = await readSettled(lockPath);
    if (text === undefined) continue; // released meanwhile: try again
    const holder = parseHolder(text);
    if (holder === undefined) {
      throw new JournalError(
        `journal ${journal} is locked by ${lockPath}, whose content is not a lock plannr-bulk wrote; ` +
          'if no import or --resume is running on this journal, delete that file and run again',
      );
    }
    if (holder.host !== me.host || (await holderStaysRunning(holder, text))) throw inUse(journal, lockPath, holder, me.host);

    // Stale: the holder died on this host. Claim this exact lock, so only one run replaces it.
    const claimPath = claimPathOf(lockPath, text);
    if (!(await createExclusive(claimPath, myText))) {
      const claimText = (await readSettled(claimPath)) ?? '';
      const claimer = parseHolder(claimText);
      if (claimer !== undefined && claimer.host === me.host && !holderIsRunning(claimer, claimText)) {
        throw new JournalError(
          `journal ${journal}: a takeover of its stale lock by pid ${claimer.pid} was interrupted; ` +
            `if no import or --resume is running on this journal, delete ${lockPath} and ${claimPath}, then run again`,
        );
      }
      await delay(SETTLE_MS); // another run is taking it over right now: it will hold the lock next round
      continue;
    }
    try {
      if ((await readSettled(lockPath)) === text) {
        await unlink(lockPath).catch((error: unknown) => {
          if (errorCode(error) !== 'ENOENT') throw error;
        });
        tookOver = holder;
      }
    } finally {
      await unlink(claimPath).catch(() => undefined);
    }
  }
  throw new JournalError(`journal ${journal}: could not take its lock ${lockPath} (it keeps changing hands); run again`);
}

function holdLock(lockPath: string, myText: string): JournalLock {
  let released = false;
  // Last resort for exits we do not see (process.exit, an uncaught error): remove the lock if still ours.
  const onExit = (): void => {
    try {
      if (readFileSync(lockPath, 'utf8') === myText) unlinkSync(lockPath);
    } catch {
      // gone already, or unreadable: nothing of ours to remove
    }
  };
  process.on('exit', onExit);
  return {
    path: lockPath,
    async release() {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      const text = await readFile(lockPath, 'utf8').catch(() => undefined);
      if (text === myText) await unlink(lockPath).catch(() => undefined);
      ownText(myText, -1);
    },
  };
}

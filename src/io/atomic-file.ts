/**
 * Files we write are finished atomically, and our temporary files never outlive a run.
 *
 * A workbook or CSV is written to `<dir>/.<name>.<pid>.partial` and renamed over its target
 * only once complete and on disk: a run killed half-way leaves neither a corrupt file nor a
 * missing previous one. Spool folders (report outcomes, export meta rows) carry the pid in
 * their name. Both are removed on this process's exit paths (close, discard, and a
 * `process.on('exit')` last resort); what a killed run left behind is removed by the next run
 * that writes beside it, once that pid is no longer running.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, open, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { OutputError } from '../errors.js';

/** Paths this process must remove if it exits before removing them itself. */
const leftovers = new Set<string>();
let exitHookInstalled = false;

function track(path: string): void {
  leftovers.add(path);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const leftover of leftovers) rmSync(leftover, { recursive: true, force: true });
    });
  }
}

function untrack(path: string): void {
  leftovers.delete(path);
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** true when a process with this pid runs on this machine (EPERM: it runs, as another user). */
export function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== 'ESRCH';
  }
}

/** Where `target` is written until it is complete. */
export function partialPathOf(target: string, pid: number = process.pid): string {
  return join(dirname(target), `.${basename(target)}.${pid}.partial`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Removes `.<name>.<pid>.partial` files beside `target` left by processes that are no longer running. */
export async function removeStalePartials(target: string): Promise<string[]> {
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(target))}\\.(\\d+)\\.partial$`);
  const folder = dirname(target);
  const removed: string[] = [];
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    const pid = pattern.exec(name)?.[1];
    if (pid === undefined || isRunning(Number(pid))) continue;
    await rm(join(folder, name), { force: true });
    removed.push(join(folder, name));
  }
  return removed;
}

export interface AtomicFile {
  /** The temporary path to write to. */
  readonly partial: string;
  /** The finished file is flushed to disk and renamed over the target. */
  commit(): Promise<void>;
  /** The partial file is removed; the target is left as it was. */
  discard(): Promise<void>;
}

/** A write of `target` through a partial file beside it (see the top of this file). */
export function atomicFile(target: string): AtomicFile {
  const partial = partialPathOf(target);
  track(partial);
  return {
    partial,
    async commit() {
      // Durable before the rename, so the new name never points at data still in the page cache.
      const handle = await open(partial, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(partial, target);
      untrack(partial);
      await removeStalePartials(target);
    },
    async discard() {
      await rm(partial, { force: true });
      untrack(partial);
      await removeStalePartials(target);
    },
  };
}

/** How a writer over an atomic file ends: finished and renamed into place, or abandoned. */
export interface WriterEnding {
  /** Finishes the file once (later calls return the same promise); a failure discards the partial file. */
  close(): Promise<void>;
  /** Abandons an unfinished file (the target is left as it was); after close() it only waits for it. */
  discard(): Promise<void>;
}

/**
 * close() and discard() for a writer of `file`: `finish` writes the rest and commits, `abandon`
 * stops the writer's streams at once (it is called at most once).
 */
export function writerEnding(file: AtomicFile, finish: () => Promise<void>, abandon: () => void | Promise<void>): WriterEnding {
  let finishing: Promise<void> | undefined;
  return {
    close() {
      finishing ??= finish().catch(async (error: unknown) => {
        // Stopped before the partial file goes: a writer still opening it would recreate it.
        await abandon();
        await file.discard();
        throw error;
      });
      return finishing;
    },
    async discard() {
      if (finishing !== undefined) {
        await finishing.catch(() => undefined);
        return;
      }
      finishing = Promise.resolve();
      await abandon();
      await file.discard();
    },
  };
}

/** Prefixes of our spool folders in the temp folder; the pid follows, then mkdtemp's random part. */
export const SPOOL_PREFIXES = ['plannr-bulk-report-', 'plannr-bulk-meta-', 'plannr-bulk-xlsx-'] as const;
export type SpoolPrefix = (typeof SPOOL_PREFIXES)[number];

/** Removes spool folders in `folder` (default: the temp folder) left by processes that are no longer running. */
export async function removeStaleSpools(folder: string = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    const prefix = SPOOL_PREFIXES.find((p) => name.startsWith(p));
    if (prefix === undefined) continue;
    const pid = /^(\d+)-[A-Za-z0-9]{6}$/.exec(name.slice(prefix.length))?.[1];
    if (pid === undefined || isRunning(Number(pid))) continue;
    await rm(join(folder, name), { recursive: true, force: true });
    removed.push(join(folder, name));
  }
  return removed;
}

export interface SpoolFolder {
  readonly path: string;
  /** Removes the folder and everything in it. Safe to call twice. */
  remove(): Promise<void>;
}

/** A fresh spool folder named after this process, after clearing those of dead processes. */
export async function createSpoolFolder(prefix: SpoolPrefix, folder: string = tmpdir()): Promise<SpoolFolder> {
  await removeStaleSpools(folder);
  let path: string;
  try {
    path = await mkdtemp(join(folder, `${prefix}${process.pid}-`));
  } catch (error) {
    throw new OutputError(`cannot write temporary files in ${folder}: ${(error as Error).message}`);
  }
  track(path);
  return {
    path,
    async remove() {
      await rm(path, { recursive: true, force: true });
      untrack(path);
    },
  };
}

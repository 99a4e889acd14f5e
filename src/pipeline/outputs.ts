/**
 * Check outputs before the first write: a run that would apply every update and then fail to
 * write its revert workbook has done harm it cannot undo. So before any request, each output
 * (journal, report, revert workbook, the temp folder for spools) is probed by creating and
 * removing a file beside it: `access()` alone is not enough (as root, permission bits do not
 * bind, and a read-only mount or a full quota only shows on a real write).
 *
 * Workbooks are finished atomically and spools cleaned up by io/atomic-file.ts; this module
 * re-exports what the pipeline needs of it.
 */
import { open, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputError } from '../errors.js';

export { atomicFile, createSpoolFolder, partialPathOf, removeStalePartials, removeStaleSpools } from '../io/atomic-file.js';

export interface OutputPaths {
  readonly journal: string;
  readonly report?: string | undefined;
  readonly revert?: string | undefined;
  /** A folder spools are written into (the temp folder). */
  readonly spoolDir?: string | undefined;
}

function errorCode(error: unknown): string {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'error';
}

/** Why `folder` cannot hold a new file, or undefined when a probe file was created and removed there. */
async function folderProblem(folder: string, probeName: string): Promise<string | undefined> {
  const where = resolve(folder);
  try {
    const info = await stat(where);
    if (!info.isDirectory()) return `${where} is not a folder`;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return `folder ${where} does not exist`;
    if (code === 'ENOTDIR') return `${where} is not a folder (part of its path is a file) (ENOTDIR)`;
    return `folder ${where} cannot be read (${code})`;
  }
  const probe = join(where, probeName);
  try {
    const handle = await open(probe, 'wx');
    try {
      await handle.writeFile('probe');
    } finally {
      await handle.close();
    }
  } catch (error) {
    return `folder ${where} is not writable (${errorCode(error)})`;
  } finally {
    await rm(probe, { force: true });
  }
  return undefined;
}

/** Why the file `target` cannot be written, or undefined. */
async function targetProblem(target: string): Promise<string | undefined> {
  try {
    const info = await stat(target);
    if (info.isDirectory()) return `${resolve(target)} is a folder`;
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return `${resolve(target)} cannot be read (${code})`;
  }
  return folderProblem(dirname(target), `.${basename(target)}.${process.pid}.probe`);
}

/**
 * Throws an OutputError (exit 2) naming the first output that cannot be written and why, e.g.
 * `cannot write the revert workbook revert.xlsx: folder /x/y is not writable (EACCES)`.
 */
export async function probeOutputs(paths: OutputPaths): Promise<void> {
  const files: Array<readonly [what: string, path: string | undefined]> = [
    ['the journal', paths.journal],
    ['the report', paths.report],
    ['the revert workbook', paths.revert],
  ];
  for (const [what, path] of files) {
    if (path === undefined) continue;
    const problem = await targetProblem(path);
    if (problem !== undefined) throw new OutputError(`cannot write ${what} ${path}: ${problem}`);
  }
  // The journal is appended to in place (not renamed over), so an existing one must open for writing.
  const journalProblem = await existingFileProblem(paths.journal);
  if (journalProblem !== undefined) throw new OutputError(`cannot write the journal ${paths.journal}: ${journalProblem}`);
  if (paths.spoolDir !== undefined) {
    const problem = await folderProblem(paths.spoolDir, `.plannr-bulk-probe-${process.pid}`);
    if (problem !== undefined) throw new OutputError(`cannot write temporary files in ${paths.spoolDir}: ${problem}`);
  }
}

/** An existing file we append to must open for writing (a rename-over does not need this). */
async function existingFileProblem(path: string): Promise<string | undefined> {
  try {
    const handle = await open(path, 'r+');
    await handle.close();
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return undefined;
    return `it cannot be opened for writing (${code})`;
  }
  return undefined;
}

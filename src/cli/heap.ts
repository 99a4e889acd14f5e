/**
 * A bounded heap on any machine. V8 sizes its heap to the machine (about 4 GB on a 24 GB one)
 * and lets garbage pile up towards that limit, so a run's memory grew with its file though it
 * keeps nothing: 383 MB at 1,000,000 rows. A 192 MB old generation ran at the same speed, so the
 * command runs with `--max-old-space-size=192` (worker threads inherit it).
 *
 * V8 fixes the limit when the process starts (`v8.setFlagsFromString` later has no effect), so
 * the bin starts the command once more in a child with the flag, before it loads anything
 * else, unless the limit is already chosen:
 * - `--max-old-space-size` in NODE_OPTIONS or node's own arguments: the user's choice is kept;
 * - `PLANNR_BULK_HEAP=off`: run as is, no child (e.g. a tool that needs one process);
 * - `PLANNR_BULK_HEAP=<MB>`: that limit instead of 192.
 *
 * The child inherits stdin, stdout and stderr; its exit code is the launcher's, and a child
 * killed by a signal makes the launcher die of the same signal. On Unix the child runs in a
 * session of its own, so a terminal's Ctrl-C reaches only the launcher, which passes each
 * SIGINT, SIGTERM and SIGHUP on exactly once (the child's stop policy counts them: a second
 * Ctrl-C still quits at once). On Windows a console's Ctrl-C reaches both, so nothing is passed on.
 * A launcher killed outright (SIGKILL) cannot pass anything on: the child sees its IPC channel
 * to the launcher close and kills itself at once, so `kill -9` still stops the run as it did.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** The old-generation limit (MB) the tool needs: see bench/validate.ts and bench/export.ts. */
export const DEFAULT_HEAP_MB = 192;

/** Set in the child, so it never starts another. */
const BOUNDED_MARK = 'PLANNR_BULK_HEAP_BOUNDED';

const PASSED_ON = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The heap limit to start the command under, or undefined when this process should run it itself. */
export function heapLimitFor(env: NodeJS.ProcessEnv, execArgv: readonly string[]): number | undefined {
  if (env[BOUNDED_MARK] === '1') return undefined;
  const choice = (env['PLANNR_BULK_HEAP'] ?? '').trim().toLowerCase();
  if (choice === 'off' || choice === '0') return undefined;
  const chosenAlready = /--max-old-space-size\b|--max_old_space_size\b/;
  if (chosenAlready.test(env['NODE_OPTIONS'] ?? '') || execArgv.some((arg) => chosenAlready.test(arg))) return undefined;
  if (/^\d+$/.test(choice) && Number(choice) >= 64) return Number(choice);
  return DEFAULT_HEAP_MB;
}

/** In the child: die at once if the launcher dies without passing a signal on (SIGKILL). */
function dieWithLauncher(processLike: NodeJS.Process): void {
  const channel = processLike.channel;
  if (channel === undefined) return;
  // The channel must not keep the command running once it is done.
  channel.unref();
  processLike.once('disconnect', () => processLike.kill(processLike.pid, 'SIGKILL'));
}

/**
 * Runs this command again in a child with a bounded heap and resolves with the exit code to
 * use, or with undefined when this process should run the command itself.
 */
export async function runInBoundedHeap(processLike: NodeJS.Process = process): Promise<number | undefined> {
  const limit = heapLimitFor(processLike.env, processLike.execArgv);
  if (limit === undefined) {
    if (processLike.env[BOUNDED_MARK] === '1') dieWithLauncher(processLike);
    return undefined;
  }
  const ownSession = processLike.platform !== 'win32';
  const child = spawn(processLike.execPath, [...processLike.execArgv, `--max-old-space-size=${limit}`, ...processLike.argv.slice(1)], {
    // fd 3: an IPC channel that only tells the child when the launcher is gone.
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    // The launcher's pid goes to the journal lock, so a lock names the process a user sees.
    env: { ...processLike.env, [BOUNDED_MARK]: '1', PLANNR_BULK_LAUNCHER_PID: String(processLike.pid) },
    detached: ownSession,
  });
  const passOn = (name: NodeJS.Signals): void => {
    if (ownSession) child.kill(name);
  };
  for (const name of PASSED_ON) processLike.on(name, passOn);
  return new Promise<number | undefined>((resolve) => {
    child.on('error', (error) => {
      // Could not start the child (e.g. no room for a process): run the command here instead.
      for (const name of PASSED_ON) processLike.off(name, passOn);
      processLike.stderr.write(`plannr-bulk: running without a bounded heap (${error.message})\n`);
      resolve(undefined);
    });
    child.on('exit', (code, signal) => {
      for (const name of PASSED_ON) processLike.off(name, passOn);
      if (signal !== null) {
        // Die of the same signal, so a shell or supervisor sees what the child saw.
        processLike.kill(processLike.pid, signal);
        resolve(128 + (constants.signals[signal] ?? 1));
        return;
      }
      resolve(code ?? 2);
    });
  });
}

/** Starts `plannr-bulk sandbox` in its own process (so client and server each get a core) and waits for its URL. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

export interface SandboxProcess {
  readonly url: string;
  /** CPU seconds (user + system) the process has used so far; undefined where /proc is not there. */
  cpuSeconds(): number | undefined;
  /** SIGTERM, then waits for the exit (so a --cpu-prof profile is written before we go on). */
  stop(): Promise<void>;
}

/** utime + stime of a live process from /proc/<pid>/stat (Linux), in seconds (USER_HZ is 100 on Linux). */
function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export async function startSandboxProcess(sandboxArgs: string[], nodeArgs: string[] = []): Promise<SandboxProcess> {
  const cli = join(import.meta.dirname, '../src/cli/main.ts');
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', cli, 'sandbox', '--port', '0', ...sandboxArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.on('exit', () => reject(new Error(`sandbox exited: ${text}`)));
  });
  return {
    url,
    cpuSeconds: () => processCpuSeconds(child.pid),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

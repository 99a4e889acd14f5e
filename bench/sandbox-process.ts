/** Starts `plannr-bulk sandbox` in its own process (so client and server each get a core) and waits for its URL. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export async function startSandboxProcess(sandboxArgs: string[], nodeArgs: string[] = []): Promise<{ url: string; stop: () => void }> {
  const cli = join(import.meta.dirname, '../src/cli/main.ts');
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', cli, 'sandbox', '--port', '0', ...sandboxArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.on('exit', () => reject(new Error(`sandbox exited: ${text}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_MB, heapLimitFor } from '../../src/cli/heap.js';

const child = fileURLToPath(new URL('./heap-child.ts', import.meta.url));

function run(env: NodeJS.ProcessEnv, args: string[] = [], onOutput?: (text: string, pid: number) => void) {
  const launcher = spawn(process.execPath, ['--import', 'tsx', child, ...args], { env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  launcher.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    onOutput?.(out, launcher.pid ?? 0);
  });
  return new Promise<{ code: number | null; out: string }>((resolve) => launcher.on('close', (code) => resolve({ code, out })));
}

describe('a bounded heap', () => {
  it('is chosen unless the user chose a limit or turned it off', () => {
    expect(heapLimitFor({}, [])).toBe(DEFAULT_HEAP_MB);
    expect(heapLimitFor({ NODE_OPTIONS: '--max-old-space-size=4096' }, [])).toBeUndefined();
    expect(heapLimitFor({}, ['--max-old-space-size=512'])).toBeUndefined();
    expect(heapLimitFor({ PLANNR_BULK_HEAP: 'off' }, [])).toBeUndefined();
    expect(heapLimitFor({ PLANNR_BULK_HEAP: '300' }, [])).toBe(300);
    expect(heapLimitFor({ PLANNR_BULK_HEAP_BOUNDED: '1' }, [])).toBeUndefined();
  });

  it('runs the command in a child under the limit, with its output and exit code', async () => {
    const { code, out } = await run({});
    // heap_size_limit is the old generation plus the young one's semi-spaces.
    const limit = Number(/limit (\d+)/.exec(out)?.[1]);
    expect(limit).toBeGreaterThanOrEqual(DEFAULT_HEAP_MB);
    expect(limit).toBeLessThan(DEFAULT_HEAP_MB + 100);
    expect(code).toBe(3);
  });

  it('runs the command itself when the user set the limit', async () => {
    const { code, out } = await run({ NODE_OPTIONS: '--max-old-space-size=700' });
    expect(Number(/limit (\d+)/.exec(out)?.[1])).toBeGreaterThanOrEqual(700);
    expect(code).toBe(3);
  });

  it.skipIf(process.platform === 'win32')('passes a SIGTERM sent to the launcher on to the command once', async () => {
    let sent = false;
    const { code, out } = await run({}, ['--wait'], (text, pid) => {
      if (!sent && text.includes('ready')) {
        sent = true;
        process.kill(pid, 'SIGTERM');
      }
    });
    expect(out).toContain('signals SIGTERM\n');
    expect(code).toBe(3);
  });

  it.skipIf(process.platform === 'win32')('stops the command when the launcher is killed outright (kill -9)', async () => {
    let sent = false;
    const { out } = await run({}, ['--wait'], (text, pid) => {
      if (!sent && text.includes('ready')) {
        sent = true;
        process.kill(pid, 'SIGKILL');
      }
    });
    // The command would print its signals after waiting: killed with its launcher, it never does.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(out).not.toContain('signals');
  });
});

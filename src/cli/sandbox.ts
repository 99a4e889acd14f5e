import { readFile } from 'node:fs/promises';
import { DEFAULT_SANDBOX_PORT } from '../config/defaults.js';
import { UsageError } from '../errors.js';
import { FAULT_FLAG_NAMES, faultsSchema, type Faults } from '../sandbox/faults.js';
import { SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../sandbox/seed.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../sandbox/server.js';
import { loadState, type SandboxState } from '../sandbox/state.js';
import type { CliCommand, CommandContext, ExitCode, ParsedFlags } from './command.js';
import { sandboxFlags, valuesOf } from './flags.js';

/** "errors=0.1,slow=0.05,slow-ms=2000,drop=0.02,burst429=20,gateway504-next=3" → Faults (names: FAULT_FLAG_NAMES). */
export function parseFaults(text: string): Faults {
  const names = FAULT_FLAG_NAMES;
  const faults: Record<string, number> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [name = '', value = ''] = part.split('=');
    const key = names[name.trim()];
    const n = Number(value);
    if (key === undefined || value.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new UsageError(`--faults "${part}": expected name=number with names ${Object.keys(names).join(', ')}`);
    }
    faults[key] = n;
  }
  const checked = faultsSchema.safeParse(faults);
  if (!checked.success) throw new UsageError(`--faults "${text}": ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return checked.data;
}

async function readSeed(path: string): Promise<SandboxState> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`--seed ${path}: cannot read it (${e.code ?? e.message})`);
  });
  try {
    return loadState(JSON.parse(text));
  } catch (error) {
    throw new UsageError(`--seed ${path}: not a sandbox state file (${(error as Error).message.split('\n')[0]})`);
  }
}

/** startSandbox, with a port in use (or not ours to take) said as a usage problem that names the port. */
export async function listen(options: SandboxOptions): Promise<RunningSandbox> {
  try {
    return await startSandbox(options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `127.0.0.1:${options.port ?? 0}`;
    if (code === 'EADDRINUSE') throw new UsageError(`--port ${options.port}: cannot listen on ${where}, something else is using it (EADDRINUSE); pick another port, or --port 0 for any free one`);
    if (code === 'EACCES') throw new UsageError(`--port ${options.port}: not allowed to listen on ${where} (EACCES); ports below 1024 need privileges, pick a higher one`);
    throw error;
  }
}

/** `plannr-bulk sandbox`: the emulator on 127.0.0.1 until Ctrl-C (or SIGTERM). */
export async function sandbox(parsed: ParsedFlags, context: CommandContext): Promise<ExitCode> {
  const { state, faults, port = DEFAULT_SANDBOX_PORT, ...options } = valuesOf(sandboxFlags, parsed);
  const running = await listen({
    ...options,
    port,
    ...(state !== undefined ? { state: await readSeed(state) } : {}),
    ...(faults !== undefined ? { faults: parseFaults(faults) } : {}),
  });
  context.print(
    `Plannr sandbox listening on ${running.url}\n` +
      `Use it with:\n  export PLANNR_BASE_URL=${running.url}\n  export PLANNR_TOKEN=${SANDBOX_TOKEN}\n  export PLANNR_ACCOUNT_UUID=${SANDBOX_ACCOUNT_UUID}\n` +
      `Admin: GET ${running.url}/__sandbox/state, GET /__sandbox/writes, POST /__sandbox/faults, POST /__sandbox/reset\n` +
      'Ctrl-C to stop.',
  );
  await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
  await running.close();
  return 0;
}

export const sandboxCommand: CliCommand = {
  flags: [sandboxFlags],
  stoppable: true,
  stopping: 'closing the sandbox',
  run: (_args, parsed, context) => sandbox(parsed, context),
};

import { Command, Option } from '@commander-js/extra-typings';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../sandbox/seed.js';
import { FAULT_FLAG_NAMES, faultsSchema, type Faults } from '../sandbox/faults.js';
import { startSandbox } from '../sandbox/server.js';
import { loadState } from '../sandbox/state.js';

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

export function sandboxCommand(): Command<[], Record<string, unknown>> {
  return new Command('sandbox')
    .description('run a local emulator of the Plannr API (and MPDX phones) on 127.0.0.1: no account, no network')
    .addOption(new Option('--port <n>', 'port to listen on (default 4010; 0 = any free port)').default('4010'))
    .option('--seed <file>', 'JSON state to start from (as dumped by GET /__sandbox/state); default: built-in demo data')
    .option('--rate <n>', 'requests per minute per token before 429 (default 500, as Plannr; 0 = unlimited)', '500')
    .option('--faults <spec>', 'inject faults, e.g. errors=0.1,drop=0.02,burst429=20,gateway504=0.05,list-lag-ms=20000 (see README: The sandbox)')
    .action(async (flags) => {
      const port = Number(flags.port);
      const rate = Number(flags.rate);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port "${flags.port}" is not a port number`);
      if (!Number.isInteger(rate) || rate < 0) throw new UsageError(`--rate "${flags.rate}": expected requests per minute, e.g. 500`);
      let state;
      if (flags.seed !== undefined) {
        const text = await readFile(flags.seed, 'utf8').catch((e: NodeJS.ErrnoException) => {
          throw new UsageError(`--seed ${flags.seed}: cannot read it (${e.code ?? e.message})`);
        });
        try {
          state = loadState(JSON.parse(text));
        } catch (error) {
          throw new UsageError(`--seed ${flags.seed}: not a sandbox state file (${(error as Error).message.split('\n')[0]})`);
        }
      }
      const sandbox = await startSandbox({
        port,
        ratePerMinute: rate,
        ...(state !== undefined ? { state } : {}),
        ...(flags.faults !== undefined ? { faults: parseFaults(flags.faults) } : {}),
      });
      process.stdout.write(
        `Plannr sandbox listening on ${sandbox.url}\n` +
          `Use it with:\n  export PLANNR_BASE_URL=${sandbox.url}\n  export PLANNR_TOKEN=${SANDBOX_TOKEN}\n  export PLANNR_ACCOUNT_UUID=${SANDBOX_ACCOUNT_UUID}\n` +
          `Admin: GET ${sandbox.url}/__sandbox/state, GET /__sandbox/writes, POST /__sandbox/faults, POST /__sandbox/reset\n` +
          'Ctrl-C to stop.\n',
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          void sandbox.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

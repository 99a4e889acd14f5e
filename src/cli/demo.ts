import { Command } from '@commander-js/extra-typings';
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { runImport } from '../pipeline/import.js';
import { defaultNormaliseOptions } from '../normalise/result.js';
import { SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../sandbox/seed.js';
import { startSandbox } from '../sandbox/server.js';

/** The samples the demo imports, with the entity each holds. */
export const demoSamples = [
  { file: 'cases-legacy.csv', entity: 'cases' },
  { file: 'cases-legacy.xlsx', entity: 'cases' },
  { file: 'contact-details-legacy.xlsx', entity: 'contact-details' },
  { file: 'contact-details.csv', entity: 'contact-details' },
  { file: 'mpdx-phones.csv', entity: 'mpdx-phones' },
] as const;

/** src/cli and dist/cli both sit two levels below the package root. */
export const samplesDir = fileURLToPath(new URL('../../samples/', import.meta.url));

export function demoCommand(): Command<[], Record<string, unknown>> {
  return new Command('demo')
    .description('start the sandbox, import every sample through the real pipeline over HTTP, write the reports (no account, no network)')
    .option('--out <dir>', 'folder for reports and journals (default: ./plannr-bulk-demo)', 'plannr-bulk-demo')
    .option('--rate <n>', 'sandbox and client rate limit per minute (default 6000, so the demo is quick; Plannr allows 500)', '6000')
    .action(async (flags) => {
      const out = resolve(flags.out);
      const rate = Number(flags.rate);
      await rm(out, { recursive: true, force: true });
      await mkdir(out, { recursive: true });
      const sandbox = await startSandbox({ port: 0, ratePerMinute: rate });
      process.stdout.write(`sandbox: ${sandbox.url}\n`);
      try {
        for (const sample of demoSamples) {
          const base = sample.file.replace('.', '-'); // cases-legacy.csv and .xlsx must not share a journal
          const result = await runImport({
            file: join(samplesDir, sample.file),
            entity: sample.entity,
            report: join(out, `${base}.import.xlsx`),
            journal: join(out, `${base}.journal`),
            api: { baseUrl: sandbox.url, token: SANDBOX_TOKEN, accountUuid: SANDBOX_ACCOUNT_UUID, timeoutMs: 10_000 },
            pool: { ratePerMinute: rate },
            normalise: defaultNormaliseOptions,
          });
          const c = result.counts;
          process.stdout.write(
            `${sample.file.padEnd(30)} ${String(c.read).padStart(4)} rows: ${c.sent} sent, ${c.invalid} invalid, ${c.failed} rejected by the API, ${c.skipped} skipped` +
              (c.unknown > 0 ? `, ${c.unknown} unknown (see the report)` : '') +
              ` → ${join(flags.out, `${base}.import.xlsx`)}\n`,
          );
        }
        process.stdout.write(`sandbox recorded ${sandbox.writes.length} writes. Open the reports' Errors sheets to see each problem by row and column.\n`);
      } finally {
        await sandbox.close();
      }
    });
}

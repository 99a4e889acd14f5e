import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DEMO_OUT, DEFAULT_DEMO_RATE_PER_MINUTE, DEFAULT_NORMALISE_OPTIONS } from '../config/defaults.js';
import { runImport } from '../pipeline/import.js';
import { runMigration } from '../migrate/run.js';
import { SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../sandbox/seed.js';
import type { CliCommand, CommandContext, ExitCode, ParsedFlags } from './command.js';
import { demoFlags, valuesOf } from './flags.js';
import { listen } from './sandbox.js';

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

/** `plannr-bulk demo`: the sandbox, and every sample imported through it over HTTP. */
export async function demo(parsed: ParsedFlags, context: CommandContext): Promise<ExitCode> {
  const { out: folder = DEFAULT_DEMO_OUT, ratePerMinute = DEFAULT_DEMO_RATE_PER_MINUTE } = valuesOf(demoFlags, parsed);
  const out = resolve(folder);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const sandbox = await listen({ port: 0, ratePerMinute });
  context.print(`sandbox: ${sandbox.url}`);
  try {
    for (const sample of demoSamples) {
      if (context.signal.aborted) break;
      const base = sample.file.replace('.', '-'); // cases-legacy.csv and .xlsx must not share a journal
      const result = await runImport({
        file: join(samplesDir, sample.file),
        entity: sample.entity,
        report: join(out, `${base}.import.xlsx`),
        revert: join(out, `${base}.revert.xlsx`),
        journal: join(out, `${base}.journal`),
        api: { baseUrl: sandbox.url, token: SANDBOX_TOKEN, accountUuid: SANDBOX_ACCOUNT_UUID, timeoutMs: 10_000 },
        pool: { ratePerMinute },
        normalise: DEFAULT_NORMALISE_OPTIONS,
        signal: context.signal,
      });
      const c = result.counts;
      context.print(
        `${sample.file.padEnd(30)} ${String(c.read).padStart(4)} rows: ${c.sent} sent, ${c.invalid} invalid, ${c.failed} rejected by the API, ${c.skipped} skipped` +
          (c.unknown > 0 ? `, ${c.unknown} unknown (see the report)` : '') +
          ` → ${join(folder, `${base}.import.xlsx`)}`,
      );
    }
    if (!context.signal.aborted) {
      // A whole legacy CRM set (samples/legacy-crm) migrated in dependency order, Client IDs resolved through the id map.
      const legacy = join(samplesDir, 'legacy-crm');
      const migration = await runMigration({
        files: [
          { entity: 'clients', file: join(legacy, 'clients.csv') },
          { entity: 'contact-details', file: join(legacy, 'contact-details.csv') },
          { entity: 'cases', file: join(legacy, 'cases.csv') },
        ],
        state: join(out, 'legacy-crm-migration'),
        api: { baseUrl: sandbox.url, token: SANDBOX_TOKEN, accountUuid: SANDBOX_ACCOUNT_UUID, timeoutMs: 10_000 },
        pool: { ratePerMinute },
        normalise: { ...DEFAULT_NORMALISE_OPTIONS, dateOrder: 'dmy' },
        signal: context.signal,
      });
      for (const file of migration.files) context.print(`${`legacy-crm/${file.entity}`.padEnd(30)} ${file.equation}`);
      context.print(`${'legacy-crm migration'.padEnd(30)} → ${join(folder, 'legacy-crm-migration', 'migration-report.xlsx')} (id map: id-map.xlsx)`);
    }
    context.print(`sandbox recorded ${sandbox.writes.length} writes. Open the reports' Errors sheets to see each problem by row and column.`);
  } finally {
    await sandbox.close();
  }
  return 0;
}

export const demoCommand: CliCommand = {
  flags: [demoFlags],
  stoppable: true,
  run: (_args, parsed, context) => demo(parsed, context),
};

import { resolveApiConfig, type ApiConfig } from '../api/config.js';
import { UsageError } from '../errors.js';
import { createLogger } from '../log.js';
import { DEFAULT_CLIENT_ID_COLUMN, DEFAULT_LEGACY_ID_COLUMN, runMigration, type FileSummary, type MigrationResult } from '../migrate/run.js';
import type { MigrationEntity, MigrationFile } from '../migrate/set.js';
import { dirname, join, resolve } from 'node:path';
import type { CliCommand, CommandContext, ExitCode, ParsedFlags } from './command.js';
import { apiFlags, normaliseFlags, normaliseFrom, poolFlags, seconds, valuesOf, type FlagTable } from './flags.js';

/** A dry run sends nothing, so it needs no credentials. */
const NO_API: ApiConfig = { baseUrl: '', token: '', accountUuid: '', timeoutMs: 0 };

interface MigrateFlags {
  readonly clients?: string;
  readonly contactDetails?: string;
  readonly cases?: string;
  readonly mpdxPhones?: string;
  readonly state?: string;
  readonly legacyIdColumn?: string;
  readonly clientIdColumn?: string;
  readonly dryRun?: boolean;
  readonly plan?: boolean;
  readonly readBackWindowMs?: number;
  readonly log?: string;
}

export const migrateFlags: FlagTable<MigrateFlags> = {
  clients: { flags: '--clients <file>', description: 'the legacy clients file (CSV or XLSX), migrated first' },
  contactDetails: { flags: '--contact-details <file>', description: "the legacy contact details file; its Client ID column holds each detail's client's legacy id" },
  cases: { flags: '--cases <file>', description: "the legacy cases file; its Client ID column holds the legacy ids of each case's clients (several separated by ;)" },
  mpdxPhones: { flags: '--mpdx-phones <file>', description: 'MPDX phones, migrated last' },
  state: { flags: '--state <folder>', description: 'the migration state folder: id map, each file\'s journal, reports; a rerun with the same folder carries on', shownDefault: 'plannr-migration beside the first file' },
  legacyIdColumn: { flags: '--legacy-id-column <header>', description: "the column holding each row's legacy id, in every file", shownDefault: DEFAULT_LEGACY_ID_COLUMN },
  clientIdColumn: { flags: '--client-id-column <header>', description: 'the column of contact details and cases holding their client\'s legacy id', shownDefault: DEFAULT_CLIENT_ID_COLUMN },
  dryRun: { flags: '--dry-run', description: 'check every file and every reference between them; send nothing (no credentials needed)' },
  plan: { flags: '--plan', description: 'show what each file would do (already in Plannr, to create, held back); the same checks as --dry-run, nothing sent' },
  readBackWindowMs: { flags: '--read-back-window <seconds>', description: 'after a write whose answer was lost, how long to keep reading the record back', parse: seconds('--read-back-window') },
  log: { flags: '--log <file>', description: 'write JSON logs here (token and personal data redacted)' },
};

const ENTITY_FLAGS: ReadonlyArray<readonly [keyof MigrateFlags, MigrationEntity]> = [
  ['clients', 'clients'], ['contactDetails', 'contact-details'], ['cases', 'cases'], ['mpdxPhones', 'mpdx-phones'],
];

/** `plannr-bulk migrate --clients F --contact-details F --cases F`: the whole set, in dependency order, resumable. */
export async function migrate(parsed: ParsedFlags, context: CommandContext): Promise<ExitCode> {
  const flags = valuesOf(migrateFlags, parsed);
  const files: MigrationFile[] = [];
  for (const [flag, entity] of ENTITY_FLAGS) {
    const file = flags[flag];
    if (typeof file === 'string') files.push({ entity, file });
  }
  if (files.length === 0) throw new UsageError('migrate: name at least one file: --clients, --contact-details, --cases or --mpdx-phones');
  const dryRun = flags.dryRun === true || flags.plan === true;
  const state = resolve(flags.state ?? join(dirname(files[0]!.file), 'plannr-migration'));
  const api = dryRun ? NO_API : resolveApiConfig(valuesOf(apiFlags, parsed), context.env);
  const result = await runMigration({
    files, state, dryRun, api,
    legacyIdColumn: flags.legacyIdColumn, clientIdColumn: flags.clientIdColumn,
    pool: valuesOf(poolFlags, parsed), normalise: normaliseFrom(parsed), readBackWindowMs: flags.readBackWindowMs,
    signal: context.signal, onNotice: context.notice, log: createLogger(flags.log, [api.token]),
    onFile: (summary) => context.print(fileLine(summary, dryRun)),
  });
  context.print(closingLines(result, flags.plan === true).join('\n'));
  return result.exitCode;
}

function fileLine(s: FileSummary, dryRun: boolean): string {
  const i = s.imported;
  const what = dryRun
    ? `${s.alreadyInPlannr} already in Plannr, ${i.valid} to create, ${i.invalid} invalid, ${s.held.length} held back`
    : `${s.alreadyInPlannr} already in Plannr, ${i.sent} sent, ${i.invalid} invalid, ${i.failed} failed, ${i.skipped} skipped, ${i.unknown} unknown, ${s.held.length} held back`;
  const lines = [`${s.entity.padEnd(16)} ${s.file}: ${s.rows} rows: ${what}${s.resumed ? ' (resumed an unfinished run)' : ''}`, `  ${s.equation}`];
  for (const held of s.held.slice(0, 5)) lines.push(`  held back: ${held.message}`);
  if (s.held.length > 5) lines.push(`  ... and ${s.held.length - 5} more held back (the migration report's Held Back sheet)`);
  for (const c of s.conflicts) lines.push(`  warning: legacy id ${c.legacyId} (row ${c.row}) was created again as ${c.uuid}; the id map holds another record for it: check both in Plannr`);
  if (s.reportPath !== undefined) lines.push(`  report: ${s.reportPath}`);
  return lines.join('\n');
}

function closingLines(result: MigrationResult, plan: boolean): string[] {
  const lines = [`migration report: ${result.reportPath}`];
  if (result.idMapWorkbook !== undefined) lines.push(`id map (legacy id → Plannr uuid): ${result.idMapWorkbook}`);
  if (result.dryRun) lines.push(plan ? 'plan: nothing sent' : 'dry run: nothing sent');
  const unfinished = result.files.reduce((n, s) => n + s.unfinished, 0);
  if (result.interrupted || unfinished > 0) lines.push('to finish: run the same command again (rows already in Plannr are never sent twice; rows of unknown outcome are read back first)');
  return lines;
}

export const migrateCommand: CliCommand = {
  flags: [migrateFlags, apiFlags, poolFlags, normaliseFlags],
  helpAfter: '\nThe token is read from PLANNR_TOKEN only. The state folder keeps the id map and each file\'s journal: run the same command again to resume or after a fix.',
  stoppable: true,
  run: (_args, parsed, context) => migrate(parsed, context),
};

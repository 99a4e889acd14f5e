/**
 * plannr-bulk: a thin CLI. Each command is a plain async function in its own module; errors
 * become exit codes here and only here (0 ok, 1 some rows invalid, failed or unknown, 2 could not run);
 * an import stopped by a 401/403 sets exit 2 itself (its journal and report are written first).
 */
import { Command, CommanderError } from '@commander-js/extra-typings';
import { createRequire } from 'node:module';
import { exitCodeOf, PlannrBulkError } from '../errors.js';
import { demoCommand } from './demo.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { planCommand } from './plan.js';
import { sandboxCommand } from './sandbox.js';
import { templateCommand } from './template.js';
import { validateCommand } from './validate.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function buildProgram(): Command {
  const program = new Command('plannr-bulk')
    .description('Bulk CSV/Excel import and export for the Plannr CRM API, with dry-run validation reports')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.addCommand(validateCommand());
  program.addCommand(importCommand());
  program.addCommand(planCommand());
  program.addCommand(exportCommand());
  program.addCommand(templateCommand());
  program.addCommand(sandboxCommand());
  program.addCommand(demoCommand());
  program.addHelpText('after', `
Exit codes: 0 every row ok, 1 some rows invalid, failed or unknown (the API's answer was lost: the report says what to check), 2 could not run (bad flags, unreadable file, missing columns, bad credentials, an output folder not writable, or the API refused the token during the run: fix it, then --resume).
Environment: PLANNR_BASE_URL (default https://api.plannrcrm.com), PLANNR_TOKEN, PLANNR_ACCOUNT_UUID.`);
  return program;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version print and exit 0; anything else commander rejects is a usage error
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof PlannrBulkError) {
      process.stderr.write(`plannr-bulk: ${error.message}\n`);
    } else {
      process.stderr.write(`plannr-bulk: unexpected error: ${error instanceof Error ? error.message : String(error)}\n` +
        'This is a bug in plannr-bulk; please report it with the command you ran.\n');
      if (process.env.PLANNR_BULK_DEBUG) console.error(error);
    }
    return exitCodeOf(error);
  }
}

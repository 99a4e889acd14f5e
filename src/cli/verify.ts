import { verifyManifest, type VerifyOptions } from '../audit/verify.js';
import type { CliCommand, CommandContext, ExitCode, ParsedFlags } from './command.js';
import { valuesOf, type FlagTable } from './flags.js';

/** Where the files are now, when they have moved since the run. */
export const verifyFlags: FlagTable<VerifyOptions> = {
  input: { flags: '--input <file>', description: 'the input file, when it is no longer where the manifest says' },
  report: { flags: '--report <file>', description: 'the report workbook, when it is no longer where the manifest says' },
  journal: { flags: '--journal <file>', description: 'the journal, when it is no longer where the manifest says' },
};

/** `plannr-bulk verify MANIFEST`: 0 everything matches, 1 something differs (each named), 2 a file could not be read. */
export async function verify(manifest: string, parsed: ParsedFlags, context: CommandContext): Promise<ExitCode> {
  const result = await verifyManifest(manifest, valuesOf(verifyFlags, parsed));
  const lines = result.checks.map((check) => `${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`);
  const failed = result.checks.filter((check) => !check.ok);
  lines.push(
    result.ok
      ? `match: ${manifest} agrees with its input, journal and report`
      : `MISMATCH: ${failed.map((check) => check.name).join(', ')} ${failed.length === 1 ? 'differs' : 'differ'} from ${manifest}`,
  );
  context.print(lines.join('\n'));
  return result.ok ? 0 : 1;
}

export const verifyCommand: CliCommand = {
  arguments: [{ name: '<manifest>', description: 'the run manifest (<report>.manifest.json, written beside the report by import)' }],
  flags: [verifyFlags],
  helpAfter: '\nExit codes: 0 everything matches, 1 something differs (each difference is named), 2 a file could not be read.',
  stoppable: false,
  run: ([manifest = ''], parsed, context) => verify(manifest, parsed, context),
};

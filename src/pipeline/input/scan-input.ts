/**
 * The one pass over the input before an import sends anything. It reads every row to the end,
 * so a file that cannot be read through (an unclosed quote at row 50,000, a damaged zip) stops
 * the run before a single request, never as a partial import; it counts the rows (the total
 * progress and ETA are shown against); and, over the same time, it hashes the file's bytes for
 * the journal's fingerprint (`--resume` only continues the same file). The hash streams the
 * bytes beside the parse rather than after it, so the file costs one elapsed pass, not two.
 */
import { InputError } from '../../errors.js';
import { fingerprintFile } from '../journal.js';
import { openInput, type InputConfig } from './open-input.js';

export interface ScannedInput {
  /** Data rows in the file (blank rows not counted, as the run does not count them). */
  readonly rows: number;
  /** What the journal records of the file: see fingerprintFile in journal.ts. */
  readonly fingerprint: string;
}

/** How often, in rows, `onRows` hears how far the scan has got. */
const REPORT_EVERY_ROWS = 4096;

export async function scanInput(config: InputConfig, onRows?: (rowsSoFar: number) => void): Promise<ScannedInput> {
  const fingerprint = fingerprintFile(config.file);
  // Settled here so a hash failure never goes unhandled while the count is still running;
  // an unreadable file is told by the reader's own message, which names the file and the row.
  fingerprint.catch(() => undefined);
  const rows = await countRows(config, onRows);
  return { rows, fingerprint: await fingerprint };
}

async function countRows(config: InputConfig, onRows: ((rowsSoFar: number) => void) | undefined): Promise<number> {
  // The run's own open says what it has to say about the file; this pass stays quiet.
  const input = await openInput({ ...config, onNotice: undefined });
  let rows = 0;
  for await (const _ of input.sheet.rows) {
    rows++;
    if (onRows !== undefined && rows % REPORT_EVERY_ROWS === 0) onRows(rows);
  }
  if (rows === 0) throw new InputError({ file: input.sheet.file, sheet: input.sheet.sheet }, 'the file has a header row but no data rows');
  onRows?.(rows);
  return rows;
}

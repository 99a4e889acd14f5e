/**
 * Streaming CSV writer: UTF-8 (with a BOM by default, so Excel detects the encoding), CRLF
 * line ends, RFC 4180 quoting, formula neutralisation (see safe-text.ts for the tradeoff on
 * `+` and `-`), and backpressure: `addRow` waits for 'drain' when the file falls behind.
 *
 * Atomic: written to a partial file beside the target, renamed over it by `close`
 * (atomic-file.ts); `discard` removes the partial file and leaves the target as it was.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { OutputError } from '../errors.js';
import { atomicFile, writerEnding } from './atomic-file.js';
import { neutraliseFormula } from './safe-text.js';

export type CsvCellValue = string | number | boolean | Date | null | undefined;

export interface CsvWriterOptions {
  /** Write a UTF-8 byte order mark first. Default true. */
  readonly bom?: boolean | undefined;
}

export interface CsvWriter {
  /** Resolves at once unless the file is behind; await it to keep memory flat. */
  addRow(values: readonly CsvCellValue[]): Promise<void>;
  /** Finishes the file and renames it over the target. */
  close(): Promise<void>;
  /** Stops writing and removes the partial file; the target is left as it was. Safe after close. */
  discard(): Promise<void>;
}

/** Text is gathered into chunks of about this size before a write (fewer, bigger writes). */
const CHUNK_CHARS = 64 * 1024;

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Dates hold wall-clock time in their UTC fields (io/rows.ts): written without a zone,
 * as 2025-01-31 or 2025-01-31 09:30:00.
 */
export function formatCsvDate(date: Date): string {
  const day = `${date.getUTCFullYear()}-${twoDigits(date.getUTCMonth() + 1)}-${twoDigits(date.getUTCDate())}`;
  if (date.getTime() % 86_400_000 === 0) return day;
  return `${day} ${twoDigits(date.getUTCHours())}:${twoDigits(date.getUTCMinutes())}:${twoDigits(date.getUTCSeconds())}`;
}

/**
 * One field as CSV text. Only text is neutralised: a JS number (e.g. pennies -1250) is
 * written exactly, as its digits cannot form a formula.
 */
export function csvField(value: CsvCellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  const text = value instanceof Date ? formatCsvDate(value) : neutraliseFormula(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CsvCellValue[]): string {
  let line = '';
  for (let index = 0; index < values.length; index += 1) {
    if (index > 0) line += ',';
    line += csvField(values[index]);
  }
  return `${line}\r\n`;
}

export function openCsvWriter(path: string, headers: readonly string[], options: CsvWriterOptions = {}): CsvWriter {
  const file = atomicFile(path);
  const stream = createWriteStream(file.partial, { encoding: 'utf8' });
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure ??= new OutputError(`cannot write ${path}: ${error.message}`);
  });
  let pending = (options.bom ?? true ? '\uFEFF' : '') + csvLine(headers);

  async function flush(): Promise<void> {
    if (failure !== undefined) throw failure;
    const chunk = pending;
    pending = '';
    // once() rejects if the stream errors while we wait.
    if (!stream.write(chunk)) await once(stream, 'drain');
    if (failure !== undefined) throw failure;
  }

  return {
    async addRow(values) {
      pending += csvLine(values);
      if (pending.length >= CHUNK_CHARS) await flush();
    },
    ...writerEnding(
      file,
      async () => {
        await flush();
        await new Promise<void>((resolve, reject) => {
          stream.end((error?: Error | null) => (error ? reject(failure ?? error) : resolve()));
        });
        if (failure !== undefined) throw failure;
        if (!stream.closed) await once(stream, 'close');
        await file.commit();
      },
      () => {
        stream.destroy();
      },
    ),
  };
}

/**
 * Streaming CSV reader: bytes → text (decoded here, never by papaparse, which decodes each
 * chunk alone and corrupts a character split between chunks) → papaparse's Parser, one text
 * chunk at a time, pulled by the consumer → rows. Memory stays flat whatever the file size:
 * at most one chunk's records and one unfinished record are held.
 *
 * Why Papa.Parser and not Papa.parse(NODE_STREAM_INPUT): papaparse's stream pauses when its
 * row buffer is full and, on every resume, re-splits the whole rest of the current chunk to
 * hand over one more row, so a consumer slower than the parser (any real one) makes parsing
 * quadratic in the chunk's rows. Feeding the Parser ourselves (what papaparse's own
 * ChunkStreamer does: the unfinished last record is carried into the next chunk) parses each
 * character once, and backpressure is simply not pulling the next chunk.
 *
 * Row numbers count RECORDS, not lines: the header is row 1, and a newline inside a quoted
 * cell does not add a row, so row N is what Excel shows as row N when it opens the file.
 * Line endings (CRLF, LF, lone CR, or a mix) are normalised to LF before parsing, so a line
 * break inside a quoted cell reads as "\n" whatever the file used.
 */
import { createReadStream } from 'node:fs';
import iconv from 'iconv-lite';
import Papa from 'papaparse';
import { InputError, type Location } from '../errors.js';
import { canonicalDelimiter, detectDelimiter, firstLineOf, type Delimiter, type TextEncoding } from './detect.js';
import { MAX_CELL_CHARS, checkHeaders, checkRow, columnName, formatMegabytes, headerText, isBlankRow } from './read-common.js';
import type { OpenedSheet, SourceRow } from './rows.js';
import { restoreNeutralisedText } from './safe-text.js';

export { MAX_CELL_CHARS } from './read-common.js';

/**
 * A record that has not ended after this much text is a quote that was never closed: papaparse
 * would otherwise hold the rest of the file in memory (and re-scan it for every chunk).
 */
export const MAX_RECORD_CHARS = 8 * MAX_CELL_CHARS;
/** Text read, decoded and parsed at a time: the records of one chunk are held until taken. */
const CHUNK_BYTES = 64 * 1024;

export interface CsvSource {
  readonly path: string;
  readonly displayName: string;
  readonly encoding: TextEncoding;
  /** Bytes of byte-order mark at the start of the file, skipped before decoding. */
  readonly bomLength: number;
  /** Given by the user; detected from the header line when undefined. */
  readonly delimiter?: Delimiter | undefined;
}

interface Decoder {
  write(bytes: Buffer): string;
  end(): string;
}

function makeDecoder(encoding: TextEncoding): Decoder {
  if (encoding === 'windows-1252') {
    // Node's TextDecoder('windows-1252') mis-decodes 0x80–0x9F on Node 20.18.3+ (€ ‘ ’ – ...).
    const decoder = iconv.getDecoder('windows-1252');
    return { write: (bytes) => decoder.write(bytes), end: () => decoder.end() ?? '' };
  }
  // fatal: a byte sequence that is not valid in the encoding stops the read; a silent U+FFFD
  // would change someone's name or address without anyone noticing.
  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  return { write: (bytes) => decoder.decode(bytes, { stream: true }), end: () => decoder.decode() };
}

/** What the decoding stage and the row stage share, for the runaway-record guard and messages. */
interface Progress {
  /** Characters of text produced so far (after line-ending normalisation). */
  chars: number;
  /** `chars` when the row stage last received a record, and that record's row number. */
  charsAtLastRecord: number;
  lastRow: number;
  /** The start (up to LINE_START_CHARS) of the current line, and `chars` where it began. */
  lineStart: string;
  charsAtLineStart: number;
  /** Set once known, for naming the column of a runaway cell. */
  delimiter: string;
  columnName: (index: number) => string;
  /** The most recent text, at least MAX_CELL_CHARS + 2 characters of it when there is that much. */
  tail: string[];
  tailChars: number;
}

const LINE_START_CHARS = 65_536;

function remember(progress: Progress, text: string): void {
  const newline = text.lastIndexOf('\n');
  if (newline >= 0) {
    progress.lineStart = text.slice(newline + 1, newline + 1 + LINE_START_CHARS);
    progress.charsAtLineStart = progress.chars + newline + 1;
  } else if (progress.lineStart.length < LINE_START_CHARS) {
    progress.lineStart += text.slice(0, LINE_START_CHARS - progress.lineStart.length);
  }
  progress.chars += text.length;
  progress.tail.push(text);
  progress.tailChars += text.length;
  while (progress.tail.length > 1 && progress.tailChars - (progress.tail[0]?.length ?? 0) >= MAX_CELL_CHARS + 2) {
    progress.tailChars -= progress.tail.shift()?.length ?? 0;
  }
}

function describeEncoding(encoding: TextEncoding): string {
  return encoding === 'utf-8' ? 'UTF-8' : encoding.toUpperCase();
}

/** Decoded text chunks with line endings normalised to LF. */
async function* decodedText(source: CsvSource, progress: Progress): AsyncGenerator<string> {
  const decoder = makeDecoder(source.encoding);
  const where: Location = { file: source.displayName };
  let bytesRead = source.bomLength;
  // A CR at the end of a chunk may be the first half of a CRLF: hold it for the next chunk.
  let heldCr = false;
  const normalise = (text: string, final: boolean): string => {
    let joined = heldCr ? `\r${text}` : text;
    heldCr = !final && joined.endsWith('\r');
    if (heldCr) joined = joined.slice(0, -1);
    return joined.includes('\r') ? joined.replace(/\r\n?/g, '\n') : joined;
  };
  const emit = (text: string): string => {
    remember(progress, text);
    // The next chunk is pulled only once every record parsed so far has been taken, so text
    // since the last record is the unfinished record itself.
    if (progress.chars - progress.charsAtLastRecord > MAX_RECORD_CHARS) throw runawayRecord(progress, where);
    return text;
  };
  const file = createReadStream(source.path, { start: source.bomLength, highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of file as AsyncIterable<Buffer>) {
      let text: string;
      try {
        text = decoder.write(chunk);
      } catch {
        throw notDecodable(source, bytesRead, chunk.length);
      }
      bytesRead += chunk.length;
      const normalised = normalise(text, false);
      if (normalised !== '') yield emit(normalised);
    }
    let rest: string;
    try {
      rest = decoder.end();
    } catch {
      throw notDecodable(source, bytesRead, 0);
    }
    const normalised = normalise(rest, true);
    if (normalised !== '') yield emit(normalised);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(where, `the file could not be read (${error instanceof Error ? error.message : String(error)})`);
  } finally {
    file.destroy();
  }
}

/** Which field of a line its end falls in, and whether that field opened with a quote. */
export function lastFieldOf(lineStart: string, delimiter: string): { index: number; quoted: boolean } {
  let index = 0;
  let fieldStart = 0;
  let quoted = false;
  for (let i = 0; i < lineStart.length; i++) {
    const char = lineStart[i];
    if (quoted) {
      if (char === '"') {
        if (lineStart[i + 1] === '"') i++;
        else quoted = false;
      }
    } else if (char === '"' && i === fieldStart) quoted = true;
    else if (char === delimiter) {
      index++;
      fieldStart = i + 1;
    }
  }
  return { index, quoted: lineStart[fieldStart] === '"' };
}

/** The error for a record that has not ended after MAX_RECORD_CHARS of text. */
function runawayRecord(progress: Progress, where: Location): InputError {
  const row = progress.lastRow + 1;
  const limit = formatMegabytes(MAX_RECORD_CHARS);
  if (progress.chars - progress.charsAtLineStart > MAX_RECORD_CHARS / 2) {
    // One enormous line: the cell being read is the last field its start shows.
    const field = lastFieldOf(progress.lineStart, progress.delimiter);
    const column = progress.columnName(field.index);
    if (!field.quoted) return new InputError({ ...where, row, column }, `cell is over ${limit}; the limit is 1 MB`);
    return new InputError(
      { ...where, row, column },
      `unclosed quote starting in row ${row}, column "${column}": everything after it would be read as one cell (or the cell is over ${limit}; the limit is 1 MB)`,
    );
  }
  return new InputError(
    { ...where, row },
    `no record ends in the ${limit} of text after row ${progress.lastRow}: most likely a quote (") opens a cell in row ${row} that is never closed, so everything after it would be read as one cell`,
  );
}

function notDecodable(source: CsvSource, chunkStart: number, chunkLength: number): InputError {
  const place = chunkLength > 0 ? `between bytes ${chunkStart} and ${chunkStart + chunkLength}` : 'at the end of the file';
  const hint =
    source.encoding === 'utf-8'
      ? 'if it was saved by Excel on Windows, try --encoding windows-1252'
      : 'check --encoding';
  return new InputError({ file: source.displayName }, `the text is not valid ${describeEncoding(source.encoding)} ${place}: ${hint}`);
}

/** Reads decoded text until the header line is complete (or the text ends). */
async function readHeaderText(chunks: AsyncIterator<string>): Promise<{ text: string; done: boolean }> {
  let text = '';
  for (;;) {
    const next = await chunks.next();
    if (next.done === true) return { text, done: true };
    text += next.value;
    // Only a chunk with a line ending can complete the first line: no re-scan otherwise.
    if (next.value.includes('\n') && firstLineOf(text) !== undefined) return { text, done: false };
  }
}

/** True when papaparse swallowed the end of the file into `cell` because its opening quote never closed. */
function isUnclosedQuote(cell: string, progress: Progress, delimiter: Delimiter): boolean {
  // papaparse gives such a cell as the raw text after the opening quote up to the end of the file.
  const text = progress.tail.join('');
  if (cell.length + 1 > text.length || !text.endsWith(cell)) return false;
  const quoteAt = text.length - cell.length - 1;
  if (text[quoteAt] !== '"') return false;
  const before = text[quoteAt - 1];
  const startOfText = quoteAt === 0 && progress.chars === text.length;
  return startOfText || before === delimiter || before === '\n';
}

const describeDelimiter = (delimiter: Delimiter): string =>
  delimiter === '\t' ? 'tab' : `"${delimiter}"`;

interface ParsedText {
  readonly data: string[][];
  readonly meta: { readonly cursor: number };
}

/**
 * The records in `texts`, a chunk's worth at a time. Each chunk is parsed with the unfinished
 * record left over from the one before in front of it (ignoreLastRow: the last record of a
 * chunk may go on in the next); the leftover of the last chunk is parsed as the end.
 */
async function* parseRecords(texts: AsyncIterable<string>, delimiter: Delimiter): AsyncGenerator<string[][]> {
  const parser = new Papa.Parser({ delimiter, newline: '\n', quoteChar: '"' });
  let unfinished = '';
  for await (const text of texts) {
    const input = unfinished + text;
    const parsed = parser.parse(input, 0, true) as ParsedText;
    unfinished = input.slice(parsed.meta.cursor);
    if (parsed.data.length > 0) yield parsed.data;
  }
  if (unfinished !== '') yield (parser.parse(unfinished, 0, false) as ParsedText).data;
}

/** One record at a time from per-chunk batches, with no async hop inside a batch. */
function recordReader(batches: AsyncIterator<string[][]>): { next(): Promise<string[] | undefined> | string[] | undefined; close(): Promise<void> } {
  let batch: string[][] = [];
  let index = 0;
  return {
    next() {
      if (index < batch.length) return batch[index++];
      return (async () => {
        for (;;) {
          const more = await batches.next();
          if (more.done === true) return undefined;
          batch = more.value;
          index = 0;
          if (batch.length > 0) return batch[index++];
        }
      })();
    },
    async close() {
      await batches.return?.(undefined);
    },
  };
}

/**
 * Opens a CSV: decodes, finds the delimiter, reads and checks the header row. The returned
 * `rows` can be iterated once.
 */
export async function openCsv(source: CsvSource): Promise<OpenedSheet> {
  const where: Location = { file: source.displayName };
  const progress: Progress = {
    chars: 0,
    charsAtLastRecord: 0,
    lastRow: 0,
    lineStart: '',
    charsAtLineStart: 0,
    delimiter: ',',
    columnName: (index) => `column ${index + 1}`,
    tail: [],
    tailChars: 0,
  };
  const chunks = decodedText(source, progress);
  const head = await readHeaderText(chunks);
  if (head.text.trim() === '' && head.done) throw new InputError(where, 'file is empty');
  const delimiter = source.delimiter ?? detectDelimiter(firstLineOf(head.text) ?? head.text);
  progress.delimiter = delimiter;

  async function* replay(): AsyncGenerator<string> {
    yield head.text;
    yield* { [Symbol.asyncIterator]: () => chunks };
  }
  const records = recordReader(parseRecords(replay(), delimiter)[Symbol.asyncIterator]());
  const closeInput = (): Promise<void> => records.close();

  let headerRecord: string[] | undefined;
  try {
    headerRecord = await records.next();
    progress.charsAtLastRecord = progress.chars;
    progress.lastRow = 1;
    if (headerRecord === undefined) throw new InputError(where, 'file is empty');
  } catch (error) {
    await closeInput();
    throw error;
  }
  const headers = headerRecord.map(headerText);
  progress.columnName = (index) => columnName(headers, index);
  const stats = { blankRows: 0 };

  if (headers.every((h) => h === '')) {
    // Either only blank lines (an empty file) or data under a blank header row.
    try {
      for (let next = await records.next(); next !== undefined; next = await records.next()) {
        if (!isBlankRow(next)) throw new InputError({ ...where, row: 1 }, 'row 1 (the header row) is empty');
      }
    } finally {
      await closeInput();
    }
    throw new InputError(where, 'file is empty');
  }
  try {
    checkHeaders(headers, { ...where, row: 1 });
    const only = headers[0] ?? '';
    if (headers.length === 1 && /[;\t|,]/.test(only.replaceAll(delimiter, ''))) {
      throw new InputError(
        { ...where, row: 1 },
        `the header row reads as one column ("${only.slice(0, 80)}") when split on ${describeDelimiter(delimiter)}: pass --delimiter with the character that separates the columns (for example --delimiter ";" or --delimiter tab)`,
      );
    }
  } catch (error) {
    await closeInput();
    throw error;
  }

  async function* rows(): AsyncGenerator<SourceRow> {
    let row = 1;
    // One record is held back: only the last record can be an unclosed quote's swallowed tail.
    let held: { cells: string[]; row: number } | undefined;
    let pendingBlank = 0;
    const release = (record: { cells: string[]; row: number }, isLast: boolean): SourceRow | undefined => {
      const position = { file: source.displayName, row: record.row };
      if (isLast) rejectUnclosedQuote(record.cells, record.row);
      if (isBlankRow(record.cells)) {
        pendingBlank++;
        return undefined;
      }
      checkRow(record.cells, headers, { file: source.displayName, row: record.row });
      restoreNeutralisedText(record.cells);
      stats.blankRows += pendingBlank;
      pendingBlank = 0;
      return { position, cells: record.cells };
    };
    const rejectUnclosedQuote = (cells: string[], recordRow: number): void => {
      const lastIndex = cells.length - 1;
      const last = cells[lastIndex];
      if (last === undefined || !isUnclosedQuote(last, progress, delimiter)) return;
      throw new InputError(
        { ...where, row: recordRow, column: columnName(headers, lastIndex) },
        `unclosed quote starting in row ${recordRow}, column "${columnName(headers, lastIndex)}": everything after it would be read as one cell`,
      );
    };
    try {
      for (;;) {
        const pulled = records.next();
        // Within a chunk the record is at hand: awaiting it anyway would cost a tick per row.
        const next = pulled instanceof Promise ? await pulled : pulled;
        if (next === undefined) break;
        row++;
        progress.charsAtLastRecord = progress.chars;
        progress.lastRow = row;
        const previous = held;
        held = { cells: next, row };
        if (previous !== undefined) {
          const ready = release(previous, false);
          if (ready !== undefined) yield ready;
        }
      }
      if (held !== undefined) {
        const ready = release(held, true);
        if (ready !== undefined) yield ready;
      }
      // Blank lines at the end of the file are blank rows too.
      stats.blankRows += pendingBlank;
    } finally {
      await closeInput();
    }
  }

  return {
    file: source.displayName,
    format: 'csv',
    encoding: source.encoding,
    delimiter,
    headers,
    rows: rows(),
    stats,
  };
}

/** The user's --delimiter, checked. */
export function parseDelimiterOption(given: string, file: string): Delimiter {
  const delimiter = canonicalDelimiter(given);
  if (delimiter === undefined) {
    throw new InputError({ file }, `--delimiter "${given}" is not supported: use one of , ; | tab`);
  }
  return delimiter;
}

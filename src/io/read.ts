/**
 * Opening a user's spreadsheet: the format is sniffed from the file's content (a name can
 * lie: "clients.xlsx" may be a CSV, "export.csv" may be a PDF), then the CSV or XLSX reader
 * takes over. Every problem is an InputError naming file, sheet, row and column as far as known.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputError, type Location } from '../errors.js';
import { SNIFF_BYTES, SUPPORTED_ENCODINGS, UTF8_CHECK_BYTES, canonicalEncoding, detectEncoding, sniffFormat, type DetectedEncoding } from './detect.js';
import { openCsv, parseDelimiterOption } from './read-csv.js';
import { openXlsx } from './read-xlsx.js';
import type { OpenedSheet, ReadOptions } from './rows.js';

interface FileHead {
  readonly bytes: Buffer;
  /** True when `bytes` is the whole file. */
  readonly isWholeFile: boolean;
}

async function readHead(path: string, where: Location): Promise<FileHead> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    const reason =
      code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'permission denied' : `cannot be opened (${code || String(error)})`;
    throw new InputError(where, reason);
  }
  try {
    const bytes = Buffer.alloc(UTF8_CHECK_BYTES);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await file.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === bytes.length) break;
    }
    const { size } = await file.stat();
    return { bytes: bytes.subarray(0, filled), isWholeFile: size <= filled };
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new InputError(where, code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code})`);
  } finally {
    await file.close();
  }
}

function resolveEncoding(head: FileHead, given: string | undefined, where: Location): DetectedEncoding {
  const detected = detectEncoding(head.bytes, head.isWholeFile);
  if (given === undefined) return detected;
  const encoding = canonicalEncoding(given);
  if (encoding === undefined) {
    throw new InputError(where, `--encoding "${given}" is not supported: use one of ${SUPPORTED_ENCODINGS.join(', ')}`);
  }
  // Skip the file's BOM only when it belongs to the encoding the user asked for.
  return { encoding, bomLength: detected.encoding === encoding ? detected.bomLength : 0 };
}

export type Ole2Kind = 'encrypted' | 'xls' | 'unknown';

const utf16Name = (name: string): Buffer => Buffer.from(name, 'utf16le');

/**
 * What an OLE2 (compound file) container holds, from the names in its first directory sector:
 * an encrypted (password-protected) workbook stores EncryptionInfo and EncryptedPackage streams,
 * a legacy .xls a Workbook (or Book) stream.
 */
export async function ole2Kind(path: string): Promise<Ole2Kind> {
  const file = await open(path, 'r');
  try {
    const header = Buffer.alloc(512);
    const { bytesRead } = await file.read(header, 0, 512, 0);
    if (bytesRead < 512) return 'unknown';
    const sectorShift = header.readUInt16LE(0x1e);
    if (sectorShift !== 9 && sectorShift !== 12) return 'unknown';
    const sectorSize = 2 ** sectorShift;
    const directory = Buffer.alloc(sectorSize);
    const firstDirectorySector = header.readUInt32LE(0x30);
    const read = await file.read(directory, 0, sectorSize, (firstDirectorySector + 1) * sectorSize);
    const names = directory.subarray(0, read.bytesRead);
    if (names.includes(utf16Name('EncryptedPackage')) || names.includes(utf16Name('EncryptionInfo'))) return 'encrypted';
    if (names.includes(utf16Name('Workbook')) || names.includes(utf16Name('Book'))) return 'xls';
    return 'unknown';
  } finally {
    await file.close();
  }
}

function describeOle2(kind: Ole2Kind): string {
  switch (kind) {
    case 'encrypted':
      return 'the workbook is password protected: save a copy without a password';
    case 'xls':
      return 'the workbook is in the old .xls format: save it as .xlsx or CSV';
    case 'unknown':
      return 'the workbook is password protected or in the old .xls format: save a copy without a password, as .xlsx or CSV';
  }
}

const WORKBOOK_EXTENSION = /\.(xlsx|xlsm|xltx|xltm|xls)$/i;

function describeCsv(opened: OpenedSheet): string {
  const delimiter = opened.delimiter === '\t' ? 'tab' : opened.delimiter === undefined ? undefined : `"${opened.delimiter}"`;
  return [opened.encoding, delimiter === undefined ? undefined : `${delimiter}-separated`].filter((part) => part !== undefined).join(', ');
}

/**
 * Opens a CSV or XLSX file for streaming. Nothing but the header row (and a few KB for
 * sniffing) is read before this resolves; `rows` reads the rest, once.
 */
export async function openSheet(path: string, options: ReadOptions & { displayName?: string }): Promise<OpenedSheet> {
  const displayName = options.displayName ?? basename(path);
  const where: Location = { file: displayName };
  const head = await readHead(path, where);
  const userSaysUtf16 = options.encoding !== undefined && canonicalEncoding(options.encoding)?.startsWith('utf-16') === true;
  const format = userSaysUtf16 ? 'text' : sniffFormat(head.bytes.subarray(0, SNIFF_BYTES));
  switch (format) {
    case 'xlsx':
      return openXlsx({ path, displayName, sheet: options.sheet });
    case 'ods':
      throw new InputError(where, 'it is an OpenDocument spreadsheet (.ods, as LibreOffice and OpenOffice save), which this tool does not read: save it as .xlsx or CSV');
    case 'ole2':
      throw new InputError(where, describeOle2(await ole2Kind(path)));
    case 'pdf':
      throw new InputError(where, 'not a spreadsheet (it is a PDF document): export the data as .xlsx or CSV');
    case 'image':
      throw new InputError(where, 'not a spreadsheet (it is an image): export the data as .xlsx or CSV');
    case 'html':
      throw new InputError(where, 'not a spreadsheet (it is a web page, perhaps an error or sign-in page saved in place of the download): download the file again');
    case 'xml':
      throw new InputError(where, 'not a spreadsheet this tool reads (it is an XML file; an Excel "XML Spreadsheet 2003" must be saved as .xlsx or CSV)');
    case 'binary':
      throw new InputError(where, 'not a spreadsheet (binary data, not text): use an .xlsx workbook or a CSV file; a UTF-16 CSV without a byte-order mark needs --encoding utf-16le');
    case 'text': {
      if (head.bytes.length === 0) throw new InputError(where, 'file is empty');
      const encoding = resolveEncoding(head, options.encoding, where);
      const delimiter = options.delimiter === undefined ? undefined : parseDelimiterOption(options.delimiter, displayName);
      const opened = await openCsv({ path, displayName, encoding: encoding.encoding, bomLength: encoding.bomLength, delimiter });
      // A name that says workbook on a file that is text: read it, and say how it was read.
      if (!WORKBOOK_EXTENSION.test(displayName)) return opened;
      const notice = `${displayName} is a text file, not an Excel workbook, despite its name: it was read as CSV (${describeCsv(opened)})`;
      return { ...opened, notices: [...(opened.notices ?? []), notice] };
    }
  }
}

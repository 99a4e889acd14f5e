/**
 * Sniffing what a file is from its first bytes, and which text encoding and CSV delimiter it
 * uses. Pure functions over buffers and strings, so each rule is tested alone.
 */

export type SniffedFormat = 'xlsx' | 'ods' | 'ole2' | 'pdf' | 'image' | 'html' | 'xml' | 'binary' | 'text';

/** How many leading bytes the sniffers look at. */
export const SNIFF_BYTES = 8192;
/** How many leading bytes the strict UTF-8 check looks at. */
export const UTF8_CHECK_BYTES = 65536;

const startsWith = (head: Uint8Array, magic: readonly number[]): boolean =>
  head.length >= magic.length && magic.every((byte, i) => head[i] === byte);

const ZIP = [0x50, 0x4b, 0x03, 0x04]; // PK\x03\x04
const EMPTY_ZIP = [0x50, 0x4b, 0x05, 0x06]; // an archive with no entries: still "a zip"
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const PDF = [0x25, 0x50, 0x44, 0x46]; // %PDF
const IMAGES: readonly (readonly number[])[] = [
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x47, 0x49, 0x46, 0x38], // GIF8
  [0x42, 0x4d], // BMP
  [0x49, 0x49, 0x2a, 0x00], // TIFF little-endian
  [0x4d, 0x4d, 0x00, 0x2a], // TIFF big-endian
];

/**
 * An OpenDocument package stores its media type first and uncompressed, as an entry named
 * "mimetype" (OpenDocument 1.2 Part 3 §3.3): the bytes at offset 30 of the zip say what it is.
 */
const OPENDOCUMENT_SPREADSHEET = 'mimetypeapplication/vnd.oasis.opendocument.spreadsheet';

/** The format a file's leading bytes say it is (extension is never trusted). */
export function sniffFormat(head: Uint8Array): SniffedFormat {
  if (startsWith(head, ZIP)) {
    const nameLength = head.length >= 30 ? (head[26] ?? 0) | ((head[27] ?? 0) << 8) : 0;
    const extraLength = head.length >= 30 ? (head[28] ?? 0) | ((head[29] ?? 0) << 8) : 0;
    const named = new TextDecoder('latin1').decode(head.subarray(30, 30 + nameLength));
    const content = new TextDecoder('latin1').decode(head.subarray(30 + nameLength + extraLength, 30 + nameLength + extraLength + 64));
    if (named + content.slice(0, OPENDOCUMENT_SPREADSHEET.length - 8) === OPENDOCUMENT_SPREADSHEET) return 'ods';
    return 'xlsx';
  }
  if (startsWith(head, EMPTY_ZIP)) return 'xlsx';
  // Only the first four bytes: a damaged OLE2 header is still not a CSV.
  if (startsWith(head, OLE2.slice(0, 4))) return 'ole2';
  if (startsWith(head, PDF)) return 'pdf';
  if (IMAGES.some((magic) => startsWith(head, magic))) return 'image';
  if (utf16BomOf(head) !== undefined) return 'text';
  // Text files never hold NUL; binary formats almost always do within a few KB.
  if (head.subarray(0, SNIFF_BYTES).includes(0)) return 'binary';
  // A web page saved in place of a download (an error or login page), or an XML export.
  const start = new TextDecoder('utf-8').decode(head.subarray(0, 256)).replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'html';
  if (start.startsWith('<?xml')) return 'xml';
  return 'text';
}

function utf16BomOf(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (startsWith(head, [0xff, 0xfe])) return 'utf-16le';
  if (startsWith(head, [0xfe, 0xff])) return 'utf-16be';
  return undefined;
}

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DetectedEncoding {
  readonly encoding: TextEncoding;
  /** Bytes of byte-order mark to skip before decoding. */
  readonly bomLength: number;
}

/**
 * BOM first; otherwise strict UTF-8 over the first 64 KB, falling back to Windows-1252 (what
 * Excel on Windows saves as "CSV"). `head` may be cut in the middle of a multi-byte
 * character: `headIsWholeFile` says whether it is (then a cut character is a real error).
 */
export function detectEncoding(head: Uint8Array, headIsWholeFile: boolean): DetectedEncoding {
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', bomLength: 3 };
  const utf16 = utf16BomOf(head);
  if (utf16 !== undefined) return { encoding: utf16, bomLength: 2 };
  const sample = head.subarray(0, UTF8_CHECK_BYTES);
  const wholeSample = headIsWholeFile && sample.length === head.length;
  return { encoding: isUtf8(sample, wholeSample) ? 'utf-8' : 'windows-1252', bomLength: 0 };
}

/** Strict UTF-8 check that forgives one character cut at the end of a partial sample. */
export function isUtf8(bytes: Uint8Array, isWholeFile: boolean): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    // stream: true keeps an incomplete trailing sequence pending instead of failing on it.
    decoder.decode(bytes, { stream: !isWholeFile });
    return true;
  } catch {
    return false;
  }
}

const ENCODING_ALIASES: Readonly<Record<string, TextEncoding>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-8-bom': 'utf-8',
  'utf-16le': 'utf-16le',
  utf16le: 'utf-16le',
  'utf-16': 'utf-16le',
  'ucs-2': 'utf-16le',
  'utf-16be': 'utf-16be',
  utf16be: 'utf-16be',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  win1252: 'windows-1252',
  // Excel and most tools that say "Latin-1" really write Windows-1252 (€ at 0x80).
  'latin-1': 'windows-1252',
  latin1: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  ansi: 'windows-1252',
};

export const SUPPORTED_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;

/** The canonical name for a user-given encoding, or undefined when we do not support it. */
export function canonicalEncoding(name: string): TextEncoding | undefined {
  return ENCODING_ALIASES[name.trim().toLowerCase().replaceAll('_', '-')];
}

export type Delimiter = ',' | ';' | '\t' | '|';
const DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|'];

/** The canonical delimiter for a user-given one ('tab', '\\t', 'comma'...), or undefined. */
export function canonicalDelimiter(given: string): Delimiter | undefined {
  const named: Readonly<Record<string, Delimiter>> = {
    ',': ',', comma: ',',
    ';': ';', semicolon: ';',
    '\t': '\t', '\\t': '\t', tab: '\t',
    '|': '|', pipe: '|',
  };
  return named[given.length === 1 ? given : given.trim().toLowerCase()];
}

/**
 * The delimiter of a header line: the most frequent of , ; tab | outside double quotes.
 * Ties (including none at all: a one-column file) go to comma, the order listed above.
 */
export function detectDelimiter(headerLine: string): Delimiter {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/**
 * The first line of `text` (without its line ending), where a line ends at CR or LF outside
 * double quotes; undefined when no line ending has been seen yet (need more text).
 */
export function firstLineOf(text: string): string | undefined {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) return text.slice(0, i);
  }
  return undefined;
}

/**
 * Zips for the XLSX reader tests: a workbook from hand-written parts (minimal SpreadsheetML,
 * readable in the test), and an existing workbook re-packed with its parts in another order.
 */
import { readFile } from 'node:fs/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';

export type Part = readonly [name: string, content: string | Buffer];

/** A zip of `parts`, in the order given; `compress: false` stores them as they are. */
export function zipOf(parts: readonly Part[], options: { compress?: boolean } = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of parts) {
    zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name, { mtime: new Date(Date.UTC(2024, 0, 1)), compress: options.compress ?? true });
  }
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** Every part of a zip, in stored order. */
export async function partsOf(path: string): Promise<Part[]> {
  const bytes = await readFile(path);
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, zip) => {
      if (error !== null || zip === undefined) return reject(error ?? new Error('no zip'));
      const parts: Part[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        // Folder entries (some writers store them) hold nothing: the re-packed zip leaves them out.
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (openError, stream) => {
          if (openError !== null) return reject(openError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            parts.push([entry.fileName, Buffer.concat(chunks)]);
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(parts));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/**
 * Part orders seen in the wild, as a rank per part name (lower first; ties keep their order).
 * LibreOffice: workbook, styles, sheets, workbook rels, shared strings, content types last.
 * Windows Excel: content types, rels, workbook, sheets, theme, styles, shared strings.
 * Mac Excel: shared strings straight after the workbook, styles after the sheets.
 */
export const PART_ORDERS = {
  libreoffice: ['_rels/.rels', 'xl/workbook.xml', 'xl/styles.xml', 'xl/worksheets/', 'xl/_rels/', 'xl/sharedStrings.xml', 'docProps/', '[Content_Types].xml'],
  windowsExcel: ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/', 'xl/worksheets/', 'xl/theme/', 'xl/styles.xml', 'xl/sharedStrings.xml', 'docProps/'],
  macExcel: ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/', 'xl/workbook.xml', 'xl/sharedStrings.xml', 'xl/theme/', 'xl/worksheets/', 'xl/styles.xml', 'docProps/'],
} as const;

export type PartOrder = keyof typeof PART_ORDERS;

function rank(order: readonly string[], name: string): number {
  const index = order.findIndex((prefix) => (prefix.endsWith('/') ? name.startsWith(prefix) : name === prefix));
  return index < 0 ? order.length : index;
}

/** The parts re-ordered (stable) as `order` stores them. */
export function reorder(parts: readonly Part[], order: PartOrder): Part[] {
  const ranks = PART_ORDERS[order];
  return parts
    .map((part, index) => ({ part, index, rank: rank(ranks, part[0]) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ part }) => part);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

export interface MinimalWorkbook {
  /** The sheet's `<sheetData>` content (rows). */
  readonly sheetData: string;
  /** `<si>` items of the shared string table; no table when undefined. */
  readonly sharedStrings?: readonly string[];
  /** `<numFmts>` content and the numFmtId of each cellXfs entry (style 0 first). */
  readonly numFmts?: string;
  readonly cellXfs?: readonly number[];
  readonly date1904?: string;
  /** Extra sheets before the data sheet: name, state, relationship type (default worksheet). */
  readonly sheetsBefore?: readonly { name: string; state?: string; type?: string }[];
}

/** The parts of a one-sheet workbook with the content given, everything else minimal. */
export function minimalWorkbook(book: MinimalWorkbook): Part[] {
  const before = book.sheetsBefore ?? [];
  const sheets = [...before, { name: 'Data', state: undefined, type: undefined }];
  const workbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="${MAIN}" xmlns:r="${REL}">${book.date1904 === undefined ? '' : `<workbookPr date1904="${book.date1904}"/>`}<sheets>${sheets
    .map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}"${s.state === undefined ? '' : ` state="${s.state}"`} r:id="rIdS${i + 1}"/>`)
    .join('')}</sheets></workbook>`;
  const rels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets
    .map((s, i) => `<Relationship Id="rIdS${i + 1}" Type="${REL}/${s.type ?? 'worksheet'}" Target="worksheets/sheet${i + 1}.xml"/>`)
    .join('')}<Relationship Id="rIdT" Type="${REL}/styles" Target="styles.xml"/>${book.sharedStrings === undefined ? '' : `<Relationship Id="rIdSS" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>`}</Relationships>`;
  const styles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="${MAIN}">${book.numFmts === undefined ? '' : `<numFmts>${book.numFmts}</numFmts>`}<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs>${(book.cellXfs ?? [0]).map((id) => `<xf numFmtId="${id}" xfId="0"/>`).join('')}</cellXfs></styleSheet>`;
  const sheet = (data: string) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${MAIN}" xmlns:r="${REL}"><sheetData>${data}</sheetData></worksheet>`;
  const parts: Part[] = [
    ['[Content_Types].xml', `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`],
    ['_rels/.rels', `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`],
    ['xl/workbook.xml', workbook],
    ['xl/_rels/workbook.xml.rels', rels],
    ['xl/styles.xml', styles],
    ...before.map((s, i): Part => [`xl/worksheets/sheet${i + 1}.xml`, sheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>${s.name} header</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>${s.name} value</t></is></c></row>`)]),
    [`xl/worksheets/sheet${sheets.length}.xml`, sheet(book.sheetData)],
  ];
  if (book.sharedStrings !== undefined) {
    parts.push(['xl/sharedStrings.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="${MAIN}">${book.sharedStrings.map((si) => `<si>${si}</si>`).join('')}</sst>`]);
  }
  return parts;
}

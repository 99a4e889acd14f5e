/**
 * The cell rules of SpreadsheetML, each on a minimal hand-written sheet (ECMA-376 Part 1:
 * §18.3.1.4 c, §18.18.11 ST_CellType, §22.4.2.4 ST_Xstring, §18.4 shared strings and phonetic
 * runs, §18.8.30 number formats, §18.17.4 date systems). Expected values come from the
 * standard, not from what the reader printed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openSheet } from '../../src/io/read.js';
import { minimalWorkbook, zipOf, type MinimalWorkbook } from './read-xlsx-helpers.js';
import { cellsOf, expectInputError, readAll, tempDir } from './read-test-helpers.js';

const temp = tempDir('xlsx-cells');
afterAll(() => temp.cleanup());

let counter = 0;
async function workbookFile(book: MinimalWorkbook, name = `cells-${++counter}.xlsx`): Promise<string> {
  return temp.write(name, await zipOf(minimalWorkbook(book)));
}

const header = (...names: string[]) => `<row r="1">${names.map((n, i) => `<c r="${String.fromCharCode(65 + i)}1" t="inlineStr"><is><t>${n}</t></is></c>`).join('')}</row>`;
const utc = (...parts: [number, number, number, number?, number?]) => new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3] ?? 0, parts[4] ?? 0));

async function rowsOf(book: MinimalWorkbook): Promise<unknown[][]> {
  return cellsOf((await readAll(await workbookFile(book))).rows);
}

describe('cached formula results are read as the value Excel shows', () => {
  it('a number result of 0 is 0, never empty (a £0.00 balance)', async () => {
    expect(await rowsOf({ sheetData: `${header('Balance')}<row r="2"><c r="A2"><f>B2-B2</f><v>0</v></c></row>` })).toEqual([[0]]);
  });

  it('boolean results are true and false, not 1 and empty', async () => {
    const data = `${header('Same', 'Differ')}<row r="2"><c r="A2" t="b"><f>C2=C2</f><v>1</v></c><c r="B2" t="b"><f>C2=D2</f><v>0</v></c></row>`;
    expect(await rowsOf({ sheetData: data })).toEqual([[true, false]]);
  });

  it('a text result (t="str") is its text, and an error result is its code, as a plain error cell', async () => {
    const data = `${header('Joined', 'Ratio', 'Plain error')}<row r="2"><c r="A2" t="str"><f>A1&amp;"x"</f><v>Joinedx</v></c><c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="C2" t="e"><v>#N/A</v></c></row>`;
    expect(await rowsOf({ sheetData: data })).toEqual([['Joinedx', '#DIV/0!', '#N/A']]);
  });

  it('a date-formatted number result is a date; a formula never calculated is empty', async () => {
    const data = `${header('Due', 'Never', 'Name')}<row r="2"><c r="A2" s="1"><f>TODAY()</f><v>45306</v></c><c r="B2"><f>A2+1</f></c><c r="C2" t="inlineStr"><is><t>Ann</t></is></c></row>`;
    expect(await rowsOf({ sheetData: data, cellXfs: [0, 14] })).toEqual([[utc(2024, 1, 15), null, 'Ann']]);
  });
});

describe('text', () => {
  it('decodes _xHHHH_ escapes in shared, inline and formula text; _x005F_ is a literal underscore', async () => {
    const data =
      `${header('Shared', 'Inline', 'Formula', 'Escaped')}<row r="2"><c r="A2" t="s"><v>0</v></c>` +
      `<c r="B2" t="inlineStr"><is><t>Tab_x0009_here</t></is></c><c r="C2" t="str"><f>X</f><v>a_x000A_b</v></c><c r="D2" t="s"><v>1</v></c></row>`;
    const rows = await rowsOf({ sheetData: data, sharedStrings: ['<t>Flat 1_x000D_\nHigh Street</t>', '<t>col_x005F_x000D_name</t>'] });
    expect(rows).toEqual([['Flat 1\r\nHigh Street', 'Tab\there', 'a\nb', 'col_x000D_name']]);
  });

  it('decodes entities exactly once: &amp;amp; in the file is the text &amp;', async () => {
    const data = `${header('Inline', 'Shared', 'Char ref')}<row r="2"><c r="A2" t="inlineStr"><is><t>Smith &amp;amp; Co</t></is></c><c r="B2" t="s"><v>0</v></c><c r="C2" t="inlineStr"><is><t>&#x41;&#66;&lt;&gt;&quot;&apos;</t></is></c></row>`;
    expect(await rowsOf({ sheetData: data, sharedStrings: ['<t>Smith &amp; Co</t>'] })).toEqual([['Smith &amp; Co', 'Smith & Co', 'AB<>"\'']]);
  });

  it('joins rich text runs and leaves out phonetic readings (rPh) and phoneticPr', async () => {
    const rich = '<r><rPr><b/></rPr><t>東</t></r><r><t>京</t></r><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/>';
    const data = `${header('Shared', 'Inline')}<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="inlineStr"><is>${rich}</is></c></row>`;
    expect(await rowsOf({ sheetData: data, sharedStrings: [rich] })).toEqual([['東京', '東京']]);
  });

  it('reads CDATA sections as the text they hold, unescaped, in shared, inline and mixed text and in values', async () => {
    const data =
      `${header('Shared', 'Inline', 'Mixed', 'Number')}<row r="2"><c r="A2" t="s"><v>0</v></c>` +
      `<c r="B2" t="inlineStr"><is><t><![CDATA[<b>Smith</b> & Co]]></t></is></c>` +
      `<c r="C2" t="inlineStr"><is><r><t>Smith <![CDATA[&]]> Co</t></r><r><t><![CDATA[ &amp;]]></t></r></is></c><c r="D2"><v><![CDATA[42.5]]></v></c></row>`;
    expect(await rowsOf({ sheetData: data, sharedStrings: ['<t><![CDATA[Smith & Co]]></t>'] })).toEqual([['Smith & Co', '<b>Smith</b> & Co', 'Smith & Co &amp;', 42.5]]);
  });

  it('keeps text as written, with or without xml:space="preserve"', async () => {
    const data = `${header('A', 'B')}<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">  two spaces  </t></is></c><c r="B2" t="inlineStr"><is><t> one </t></is></c></row>`;
    expect(await rowsOf({ sheetData: data })).toEqual([['  two spaces  ', ' one ']]);
  });
});

describe('numbers, booleans, errors and ISO dates', () => {
  it('reads numbers exactly, booleans as true/false and error cells as their code', async () => {
    const data = `${header('N', 'Neg', 'Exp', 'T', 'F', 'E')}<row r="2"><c r="A2"><v>7911123456</v></c><c r="B2" t="n"><v>-0.1</v></c><c r="C2"><v>1.5E-3</v></c><c r="D2" t="b"><v>1</v></c><c r="E2" t="b"><v>0</v></c><c r="F2" t="e"><v>#VALUE!</v></c></row>`;
    expect(await rowsOf({ sheetData: data })).toEqual([[7911123456, -0.1, 0.0015, true, false, '#VALUE!']]);
  });

  it('reads t="d" as the ISO date it holds (2014-02-14 is 14 February 2014), whatever the date system', async () => {
    const data = `${header('Day', 'Moment')}<row r="2"><c r="A2" t="d"><v>2014-02-14</v></c><c r="B2" t="d" s="1"><v>2014-02-14T10:30:00</v></c></row>`;
    const expected = [[utc(2014, 2, 14), utc(2014, 2, 14, 10, 30)]];
    expect(await rowsOf({ sheetData: data, cellXfs: [0, 22] })).toEqual(expected);
    expect(await rowsOf({ sheetData: data, cellXfs: [0, 22], date1904: '1' })).toEqual(expected);
  });

  it('refuses a t="d" cell that is not a real date, naming row and column', async () => {
    const path = await workbookFile({ sheetData: `${header('Name', 'Due')}<row r="2"><c r="A2" t="inlineStr"><is><t>Ann</t></is></c><c r="B2" t="d"><v>2023-02-29</v></c></row>` });
    const opened = await openSheet(path, {});
    await expectInputError(
      (async () => {
        for await (const _ of opened.rows);
      })(),
      { sheet: 'Data', row: 2, column: 'Due' },
      /"2023-02-29" is stored as a date/,
    );
  });
});

describe('dates from number formats and the date system', () => {
  it('treats built-in formats 14-17 and 22 as dates, 0-13 as numbers, and the time-only 18-21 and elapsed 45-47 as numbers', async () => {
    // ECMA-376 §18.8.30: 18 h:mm AM/PM, 19 h:mm:ss AM/PM, 20 h:mm, 21 h:mm:ss, 45 mm:ss, 46 [h]:mm:ss, 47 mm:ss.0 show no date.
    const ids = [0, 1, 2, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47];
    const data = `${header(...ids.map((id) => `F${id}`))}<row r="2">${ids.map((_, i) => `<c r="${String.fromCharCode(65 + i)}2" s="${i}"><v>45306.5</v></c>`).join('')}</row>`;
    const [row] = await rowsOf({ sheetData: data, cellXfs: ids });
    expect(row?.map((cell) => cell instanceof Date)).toEqual(ids.map((id) => (id >= 14 && id <= 17) || id === 22));
    expect(row?.[ids.indexOf(22)]).toEqual(utc(2024, 1, 15, 12, 0));
    expect(row?.[ids.indexOf(20)]).toBe(45306.5);
  });

  it('reads a time of day or a duration as its number: 0:00 is 0, not Excel\'s day zero (1899-12-30)', async () => {
    const ids = [18, 19, 20, 21, 45, 46, 47];
    const values = ['0', '0.5', '0.75', '0.0000115740740740741', '0.000694444444444444', '1.5', '0.00138888888888889'];
    const data = `${header(...ids.map((id) => `F${id}`))}<row r="2">${values.map((v, i) => `<c r="${String.fromCharCode(65 + i)}2" s="${i}"><v>${v}</v></c>`).join('')}</row>`;
    expect(await rowsOf({ sheetData: data, cellXfs: ids })).toEqual([[0, 0.5, 0.75, 0.0000115740740740741, 0.000694444444444444, 1.5, 0.00138888888888889]]);
  });

  it('treats custom formats as dates by their tokens outside quotes and brackets', async () => {
    const formats = [
      [164, '[Red]"Due: "dd/mm/yy', true],
      [165, 'hh:mm', false], // a time of day: no day, month or year
      [166, '"days: "0', false],
      [167, '#,##0.00" m"', false],
      [168, '[$-809]d mmmm yyyy;@', true],
      [169, '0.00\\h', false],
    ] as const;
    const numFmts = formats.map(([id, code]) => `<numFmt numFmtId="${id}" formatCode="${code.replaceAll('"', '&quot;')}"/>`).join('');
    const data = `${header(...formats.map(([id]) => `F${id}`))}<row r="2">${formats.map((_, i) => `<c r="${String.fromCharCode(65 + i)}2" s="${i + 1}"><v>45306</v></c>`).join('')}</row>`;
    const [row] = await rowsOf({ sheetData: data, numFmts, cellXfs: [0, ...formats.map(([id]) => id)] });
    expect(row?.map((cell) => cell instanceof Date)).toEqual(formats.map(([, , isDate]) => isDate));
  });

  it.each([
    ['h:mm', false],
    ['hh:mm:ss', false],
    ['[h]:mm', false],
    ['[h]:mm:ss', false],
    ['[mm]:ss', false],
    ['mm:ss', false],
    ['mm:ss.0', false],
    ['h:mm AM/PM', false],
    ['[$-409]h:mm AM/PM', false],
    ['h:mm:ss A/P', false],
    ['dd/mm/yyyy hh:mm', true],
    ['mmm-yy', true],
    ['m/d/yy h:mm', true],
    ['mmmm', true],
    ['[$-F800]dddd, mmmm dd, yyyy', true],
  ])('a cell formatted %j is a date: %s', async (code, isDate) => {
    const numFmts = `<numFmt numFmtId="164" formatCode="${code}"/>`;
    const [row] = await rowsOf({ sheetData: `${header('Value')}<row r="2"><c r="A2" s="1"><v>0.75</v></c></row>`, numFmts, cellXfs: [0, 164] });
    // 0.75 is 18:00 as a time of day; as a date it is 18:00 on Excel's day zero, 1899-12-30.
    expect(row).toEqual([isDate ? new Date(Date.UTC(1899, 11, 30, 18, 0)) : 0.75]);
  });

  it('takes number formats from <numFmts> only, never from a conditional format (dxf) reusing the id', async () => {
    const dxf = (code: string) => `<dxfs count="1"><dxf><numFmt numFmtId="164" formatCode="${code}"/></dxf></dxfs>`;
    const withDxf = (numFmt: string, dxfCode: string) =>
      minimalWorkbook({ sheetData: `${header('Value')}<row r="2"><c r="A2" s="1"><v>45306.125</v></c></row>`, numFmts: `<numFmt numFmtId="164" formatCode="${numFmt}"/>`, cellXfs: [0, 164] }).map(
        ([name, content]): [string, string | Buffer] => [name, name === 'xl/styles.xml' ? String(content).replace('</styleSheet>', `${dxf(dxfCode)}</styleSheet>`) : content],
      );
    const read = async (parts: [string, string | Buffer][]) => cellsOf((await readAll(temp.write(`dxf-${++counter}.xlsx`, await zipOf(parts)))).rows);
    expect(await read(withDxf('0.00%', 'yyyy-mm-dd'))).toEqual([[45306.125]]);
    expect(await read(withDxf('dd/mm/yyyy', '0.00%'))).toEqual([[utc(2024, 1, 15, 3, 0)]]);
  });

  it.each(['1', 'true'])('applies the 1904 system (date1904="%s") to date cells and cached formula dates', async (flag) => {
    const data = `${header('Plain', 'Formula', 'Serial zero')}<row r="2"><c r="A2" s="1"><v>43844</v></c><c r="B2" s="1"><f>A2</f><v>43844</v></c><c r="C2" s="1"><v>0</v></c></row>`;
    const book = { sheetData: data, cellXfs: [0, 14], date1904: flag };
    const path = await workbookFile(book);
    const { sheet, rows } = await readAll(path);
    expect(cellsOf(rows)).toEqual([[utc(2024, 1, 15), utc(2024, 1, 15), utc(1904, 1, 1)]]);
    expect(sheet.date1904).toBe(true);
    expect((await readAll(await workbookFile({ ...book, date1904: '0' }))).sheet.date1904).toBe(false);
  });
});

describe('cell and row positions', () => {
  it('places cells by their r reference, leaving gaps empty', async () => {
    const data = `${header('A', 'B', 'C', 'D')}<row r="5"><c r="C5" t="inlineStr"><is><t>third</t></is></c><c r="A5"><v>1</v></c></row>`;
    const { rows } = await readAll(await workbookFile({ sheetData: data }));
    expect(rows.map((r) => [r.position.row, [...r.cells]])).toEqual([[5, [1, null, 'third']]]);
  });

  it('places cells and rows without r one after another', async () => {
    const data = `<row><c t="inlineStr"><is><t>Name</t></is></c><c t="inlineStr"><is><t>Phone</t></is></c></row><row><c t="inlineStr"><is><t>Ann</t></is></c><c r="C2"><v>3</v></c><c><v>4</v></c></row><row r="7"><c><v>7</v></c></row><row><c><v>8</v></c></row>`;
    const { sheet, rows } = await readAll(await workbookFile({ sheetData: data }));
    expect(sheet.headers).toEqual(['Name', 'Phone']);
    expect(rows.map((r) => [r.position.row, [...r.cells]])).toEqual([
      [2, ['Ann', null, 3, 4]],
      [7, [7]],
      [8, [8]],
    ]);
  });

  it('keeps a cell far past the header (column XFD) as a cell past the header, without padding the row out to it', async () => {
    const data =
      `${header('Name', 'Phone', 'Notes')}<row r="2"><c r="A2" t="inlineStr"><is><t>Ann</t></is></c><c r="XFD2"><v>1</v></c></row>` +
      `<row r="3"><c r="A3" t="inlineStr"><is><t>Bob</t></is></c><c r="B3"><v>2</v></c><c r="C3"><v>3</v></c><c r="XFC3"><v>4</v></c><c r="XFD3"><v>5</v></c></row>` +
      `<row r="4"><c r="B4"><v>6</v></c></row>`;
    const { sheet, rows } = await readAll(await workbookFile({ sheetData: data }));
    expect(sheet.headers).toEqual(['Name', 'Phone', 'Notes']);
    // Columns within the header stay where they are; what lies past it follows in order, so the
    // row is still wider than the header (and refused as such by the row check), with its values.
    expect(rows.map((r) => [r.position.row, [...r.cells]])).toEqual([
      [2, ['Ann', null, null, 1]],
      [3, ['Bob', 2, 3, 4, 5]],
      [4, [null, 6]],
    ]);
  });

  it('reads SpreadsheetML written with a namespace prefix (x:row, x:c)', async () => {
    const parts = minimalWorkbook({ sheetData: '' }).map(([name, content]): [string, string | Buffer] =>
      name === 'xl/worksheets/sheet1.xml'
        ? [name, '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Name</x:t></x:is></x:c></x:row><x:row r="2"><x:c r="A2"><x:v>5</x:v></x:c></x:row></x:sheetData></x:worksheet>']
        : [name, content],
    );
    const { rows } = await readAll(temp.write('prefixed.xlsx', await zipOf(parts)));
    expect(cellsOf(rows)).toEqual([[5]]);
  });

  it('refuses a cell past column XFD, naming the row', async () => {
    const path = await workbookFile({ sheetData: `${header('A')}<row r="2"><c r="XFE2"><v>1</v></c></row>` });
    const opened = await openSheet(path, {});
    await expectInputError(
      (async () => {
        for await (const _ of opened.rows);
      })(),
      { sheet: 'Data', row: 2 },
      /past Excel's last column \(XFD, 16,384 columns\)/,
    );
  });

  it('refuses a shared string index the table does not have', async () => {
    const path = await workbookFile({ sheetData: `${header('A')}<row r="2"><c r="A2" t="s"><v>5</v></c></row>`, sharedStrings: ['<t>only</t>'] });
    const opened = await openSheet(path, {});
    await expectInputError(
      (async () => {
        for await (const _ of opened.rows);
      })(),
      { row: 2, column: 'A' },
      /shared string 5, which the workbook does not have/,
    );
  });
});

describe('which sheet is read', () => {
  const data = `${header('Name')}<row r="2"><c r="A2" t="inlineStr"><is><t>Ann</t></is></c></row>`;

  it('never chooses a hidden, very hidden or chart sheet by default', async () => {
    const path = await workbookFile({
      sheetData: data,
      sheetsBefore: [{ name: 'Lists', state: 'hidden' }, { name: 'Secret', state: 'veryHidden' }, { name: 'Chart', type: 'chartsheet' }],
    });
    const { sheet, rows } = await readAll(path);
    expect(sheet.sheet).toBe('Data');
    expect(cellsOf(rows)).toEqual([['Ann']]);
  });

  it('reads a hidden sheet when asked for it by name', async () => {
    const path = await workbookFile({ sheetData: data, sheetsBefore: [{ name: 'Lists', state: 'hidden' }] });
    const { sheet, rows } = await readAll(path, { sheet: 'LISTS' });
    expect(sheet.sheet).toBe('Lists');
    expect(cellsOf(rows)).toEqual([['Lists value']]);
  });

  it('refuses a chart sheet asked for by name', async () => {
    const path = await workbookFile({ sheetData: data, sheetsBefore: [{ name: 'Chart', type: 'chartsheet' }] });
    await expectInputError(openSheet(path, { sheet: 'chart' }), { sheet: 'Chart' }, /not a worksheet of rows/);
  });

  it('finds sheets through the relationships, wherever the package puts them', async () => {
    const parts = minimalWorkbook({ sheetData: data }).map(([name, content]): [string, string | Buffer] => {
      const text = String(content);
      if (name === '_rels/.rels') return [name, text.replace('Target="xl/workbook.xml"', 'Target="/book/main.xml"')];
      if (name === 'xl/workbook.xml') return ['book/main.xml', text];
      if (name === 'xl/_rels/workbook.xml.rels') return ['book/_rels/main.xml.rels', text.replace('Target="worksheets/sheet1.xml"', 'Target="../sheets/first.xml"').replace('Target="styles.xml"', 'Target="/book/styles.xml"')];
      if (name === 'xl/styles.xml') return ['book/styles.xml', text];
      if (name === 'xl/worksheets/sheet1.xml') return ['sheets/first.xml', text];
      return [name, content];
    });
    const { rows } = await readAll(temp.write('elsewhere.xlsx', await zipOf(parts)));
    expect(cellsOf(rows)).toEqual([['Ann']]);
  });
});

describe('what the package is', () => {
  const data = `${header('Name')}<row r="2"><c r="A2" t="inlineStr"><is><t>Ann</t></is></c></row>`;
  const withContentType = (type: string) =>
    minimalWorkbook({ sheetData: data }).map(([name, content]): [string, string | Buffer] => [name, name === '[Content_Types].xml' ? String(content).replace(/ContentType="[^"]*main\+xml"/, `ContentType="${type}"`) : content]);

  it('refuses an Excel binary workbook (.xlsb) by its content type', async () => {
    const path = temp.write('binary.xlsb', await zipOf(withContentType('application/vnd.ms-excel.sheet.binary.macroEnabled.main')));
    await expectInputError(openSheet(path, {}), { file: 'binary.xlsb' }, /Excel Binary Workbook \(\.xlsb\).*save it as \.xlsx or CSV/);
  });

  it('reads a macro-enabled workbook (.xlsm) like any other', async () => {
    const path = temp.write('macros.xlsm', await zipOf(withContentType('application/vnd.ms-excel.sheet.macroEnabled.main+xml')));
    expect(cellsOf((await readAll(path)).rows)).toEqual([['Ann']]);
  });

  it('says a part whose bytes do not match their checksum is corrupt', async () => {
    const zip = await zipOf(minimalWorkbook({ sheetData: data }), { compress: false });
    const at = zip.indexOf('Ann</t>');
    zip[at] = 'B'.charCodeAt(0); // stored uncompressed: the text changes, the CRC-32 no longer matches
    const path = temp.write('bad-crc.xlsx', zip);
    const opened = await openSheet(path, {});
    await expectInputError(
      (async () => {
        for await (const _ of opened.rows);
      })(),
      { file: 'bad-crc.xlsx', sheet: 'Data' },
      /the workbook is damaged \(.*fails its checksum \(CRC-32\)/,
    );
  });

  it('says when every worksheet is hidden, and reads one by name', async () => {
    const parts = minimalWorkbook({ sheetData: data }).map(([name, content]): [string, string | Buffer] => [name, name === 'xl/workbook.xml' ? String(content).replace('name="Data"', 'name="Data" state="hidden"') : content]);
    const path = temp.write('all-hidden.xlsx', await zipOf(parts));
    await expectInputError(openSheet(path, {}), { file: 'all-hidden.xlsx' }, /every worksheet is hidden \("Data"\): name the one to read with --sheet/);
    expect(cellsOf((await readAll(path, { sheet: 'data' })).rows)).toEqual([['Ann']]);
  });
});

describe('unsafe XML', () => {
  const data = `${header('Name')}<row r="2"><c r="A2" t="inlineStr"><is><t>Ann</t></is></c></row>`;
  const withSheet = (sheet: string) => minimalWorkbook({ sheetData: data }).map(([name, content]): [string, string | Buffer] => [name, name === 'xl/worksheets/sheet1.xml' ? sheet : content]);

  it('refuses a sheet that opens with a DOCTYPE of several MB of entity declarations, as a DOCTYPE', async () => {
    const entities = Array.from({ length: 60_000 }, (_, i) => `<!ENTITY e${i} "${'x'.repeat(60)}">\n`).join('');
    const sheet = `<?xml version="1.0" encoding="UTF-8"?>\n<!doctype worksheet [\n${entities}]>\n<worksheet><sheetData>${data}</sheetData></worksheet>`;
    expect(sheet.length).toBeGreaterThan(4 * 1_048_576);
    const path = temp.write('doctype.xlsx', await zipOf(withSheet(sheet)));
    await expectInputError(readAll(path), { file: 'doctype.xlsx' }, /xl\/worksheets\/sheet1\.xml declares a DOCTYPE.*refused as unsafe/);
  });
});

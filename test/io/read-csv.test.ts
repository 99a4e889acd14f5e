import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_CELL_CHARS, lastFieldOf } from '../../src/io/read-csv.js';
import { openSheet } from '../../src/io/read.js';
import { openCsvWriter } from '../../src/io/write-csv.js';
import { cellsOf, expectInputError, fixture, readAll, tempDir } from './read-test-helpers.js';

const temp = tempDir('csv');
afterAll(() => temp.cleanup());

describe('CSV headers and encodings', () => {
  it('strips the UTF-8 BOM from the first header and reads CRLF rows', async () => {
    const { sheet, rows } = await readAll(fixture('bom-crlf.csv'));
    expect(sheet.format).toBe('csv');
    expect(sheet.encoding).toBe('utf-8');
    expect(sheet.delimiter).toBe(',');
    expect(sheet.headers).toEqual(['Name', 'Phone', 'Amount']);
    expect(cellsOf(rows)).toEqual([
      ['Ann Smith', '07911 123456', '1,234.50'],
      ['Bob Jones', '+44 7911 123457', '99'],
    ]);
    expect(rows.map((r) => r.position)).toEqual([
      { file: 'bom-crlf.csv', row: 2 },
      { file: 'bom-crlf.csv', row: 3 },
    ]);
  });

  it('puts the display name, not the path, into positions', async () => {
    const { sheet, rows } = await readAll(fixture('bom-crlf.csv'), { displayName: 'clients.csv' });
    expect(sheet.file).toBe('clients.csv');
    expect(rows[0]?.position.file).toBe('clients.csv');
  });

  it('trims header cells', async () => {
    const path = temp.write('spaces.csv', '  Name , Phone\t\nAnn,1\n');
    expect((await readAll(path)).sheet.headers).toEqual(['Name', 'Phone']);
  });

  it('decodes "€ ‘quoted’ – dash" from Windows-1252 bytes', async () => {
    const text = 'Name,Notes\r\nZoë Brontë,€ ‘quoted’ – dash “double” — em\r\n';
    const path = temp.write('cp1252.csv', iconv.encode(text, 'windows-1252'));
    const { sheet, rows } = await readAll(path);
    expect(sheet.encoding).toBe('windows-1252');
    expect(cellsOf(rows)).toEqual([['Zoë Brontë', '€ ‘quoted’ – dash “double” — em']]);
  });

  it('reads UTF-16LE and UTF-16BE files with a BOM', async () => {
    const text = 'Name\tPhone\r\nZoë\t07911 123456\r\n';
    const le = temp.write('utf16le.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const leRead = await readAll(le);
    expect(leRead.sheet.encoding).toBe('utf-16le');
    expect(leRead.sheet.headers).toEqual(['Name', 'Phone']);
    expect(cellsOf(leRead.rows)).toEqual([['Zoë', '07911 123456']]);
    const be = temp.write('utf16be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
    const beRead = await readAll(be);
    expect(beRead.sheet.encoding).toBe('utf-16be');
    expect(cellsOf(beRead.rows)).toEqual([['Zoë', '07911 123456']]);
  });

  it('keeps a multi-byte UTF-8 character whole when it is split across stream chunks', async () => {
    // Fill so that a 3-byte € straddles the 256 KB read-chunk boundary and a 2-byte é the 64 KB
    // detection boundary: a per-chunk decoder (or a strict check of exactly 64 KB) breaks both.
    const header = 'Id,Notes\n';
    const lines: string[] = [header];
    let bytes = Buffer.byteLength(header);
    let id = 0;
    const pad = (target: number, char: string) => {
      while (bytes + 40 < target - 1) {
        const line = `${id++},${'x'.repeat(30)}\n`;
        lines.push(line);
        bytes += Buffer.byteLength(line);
      }
      const prefix = `${id++},`;
      const fill = 'y'.repeat(target - 1 - bytes - prefix.length);
      const line = `${prefix}${fill}${char}\n`;
      lines.push(line);
      bytes += Buffer.byteLength(line);
    };
    pad(65536, 'é');
    pad(262144, '€');
    pad(524288 + 1, '€');
    const path = temp.write('split.csv', lines.join(''));
    const { sheet, rows } = await readAll(path);
    expect(sheet.encoding).toBe('utf-8');
    const notes = rows.map((r) => String(r.cells[1]));
    expect(notes.some((n) => n.includes('\uFFFD'))).toBe(false);
    expect(notes.filter((n) => n.endsWith('€'))).toHaveLength(2);
    expect(notes.filter((n) => n.endsWith('é'))).toHaveLength(1);
    expect(rows).toHaveLength(id);
  });

  it('refuses UTF-8 that turns invalid after the first 64 KB instead of guessing', async () => {
    const good = `Name\n${'Ann\n'.repeat(20_000)}`;
    const path = temp.write('late-cp1252.csv', Buffer.concat([Buffer.from(good), iconv.encode('Zoë\n', 'windows-1252')]));
    await expectInputError(
      (async () => {
        for await (const _ of (await openSheet(path, {})).rows);
      })(),
      { file: 'late-cp1252.csv' },
      /not valid UTF-8 .*--encoding windows-1252/,
    );
  });

  it('uses --encoding over detection, and rejects an encoding it does not know', async () => {
    const path = temp.write('forced.csv', 'Name\nZoë\n');
    const { sheet, rows } = await readAll(path, { encoding: 'latin1' });
    expect(sheet.encoding).toBe('windows-1252');
    expect(cellsOf(rows)).toEqual([['ZoÃ«']]);
    await expectInputError(openSheet(path, { encoding: 'ebcdic' }), { file: 'forced.csv' }, /--encoding "ebcdic" is not supported/);
  });
});

describe('CSV delimiters and line endings', () => {
  it.each([
    ['semicolon.csv', ';'],
    ['tab.tsv', '\t'],
    ['pipe.csv', '|'],
  ])('detects the delimiter of %s from its header line', async (name, delimiter) => {
    const { sheet, rows } = await readAll(fixture(name));
    expect(sheet.delimiter).toBe(delimiter);
    expect(sheet.headers.slice(0, 2)).toEqual(['Name', 'Phone']);
    expect(rows[0]?.cells.slice(0, 2)).toEqual(['Ann Smith', '07911 123456']);
  });

  it('takes --delimiter over detection, accepting "tab" and "\\t"', async () => {
    for (const given of ['tab', '\\t', '\t']) {
      const { sheet } = await readAll(fixture('tab.tsv'), { delimiter: given });
      expect(sheet.delimiter).toBe('\t');
      expect(sheet.headers).toEqual(['Name', 'Phone', 'Notes']);
    }
    await expectInputError(openSheet(fixture('tab.tsv'), { delimiter: 'x' }), { file: 'tab.tsv' }, /--delimiter "x" is not supported/);
  });

  it('suggests --delimiter when the header reads as one column holding a ;', async () => {
    await expectInputError(openSheet(fixture('semicolon.csv'), { delimiter: ',' }), { file: 'semicolon.csv', row: 1 }, /one column .*--delimiter/);
    await expectInputError(openSheet(fixture('one-column-semicolon.csv'), {}), { row: 1 }, /--delimiter/);
  });

  it('counts records, not lines: a quoted newline does not add a row', async () => {
    const { rows } = await readAll(fixture('quoted-newlines.csv'));
    expect(cellsOf(rows)).toEqual([
      ['Ann Smith', 'Called twice.\nPrefers email.', '07911 123456'],
      ['Bob Jones', 'He said "no"', '07911 123457'],
      ['Cara Lee', 'plain', '07911 123458'],
    ]);
    expect(rows.map((r) => r.position.row)).toEqual([2, 3, 4]);
  });

  it('reads lone-CR and mixed line endings without merging rows', async () => {
    for (const name of ['lone-cr.csv', 'mixed-endings.csv']) {
      const { sheet, rows } = await readAll(fixture(name));
      expect(sheet.headers).toEqual(['Name', 'Phone']);
      expect(cellsOf(rows)).toEqual([
        ['Ann Smith', '07911 123456'],
        ['Bob Jones', '07911 123457'],
      ]);
    }
  });

  it('yields rows wider or narrower than the header as they are', async () => {
    const { rows } = await readAll(fixture('ragged.csv'));
    expect(cellsOf(rows)).toEqual([['Ann', '07911 123456', 'extra'], ['Bob']]);
  });

  it('reads a text file named .xlsx as CSV: the content decides', async () => {
    const path = temp.write('really-a.xlsx', 'Name,Phone\nAnn,07911 123456\n');
    const { sheet, rows } = await readAll(path);
    expect(sheet.format).toBe('csv');
    expect(rows).toHaveLength(1);
  });
});

describe('CSV rows that are blank, empty files and headers', () => {
  it('does not yield blank rows but counts them, keeping later row numbers', async () => {
    const { sheet, rows } = await readAll(fixture('blank-rows.csv'));
    expect(rows.map((r) => r.position.row)).toEqual([3, 6]);
    expect(sheet.stats.blankRows).toBe(4);
  });

  it('yields nothing for a header-only file', async () => {
    const { sheet, rows } = await readAll(fixture('header-only.csv'));
    expect(sheet.headers).toEqual(['Name', 'Phone']);
    expect(rows).toEqual([]);
    expect(sheet.stats.blankRows).toBe(0);
  });

  it.each(['empty.csv', 'bom-only.csv', 'whitespace-only.csv'])('says "file is empty" for %s', async (name) => {
    await expectInputError(openSheet(fixture(name), {}), { file: name }, /^file is empty$/);
  });

  it('says the header row is empty when row 1 is blank but data follows', async () => {
    await expectInputError(openSheet(fixture('blank-header-row.csv'), {}), { row: 1 }, /row 1 \(the header row\) is empty/);
  });

  it('names both columns of a duplicate header, compared case-insensitively after trimming', async () => {
    await expectInputError(openSheet(fixture('duplicate-headers.csv'), {}), { row: 1 }, /columns 2 and 4 are both "Phone"/);
  });

  it('refuses data under a blank header, naming the column and row', async () => {
    const sheet = await openSheet(fixture('blank-header-with-data.csv'), {});
    await expectInputError(
      (async () => {
        for await (const _ of sheet.rows);
      })(),
      { file: 'blank-header-with-data.csv', row: 2, column: 'column 2' },
      /column 2 has no header/,
    );
  });

  it('keeps a blank header over an entirely blank column as ""', async () => {
    const { sheet, rows } = await readAll(fixture('blank-header-blank-column.csv'));
    expect(sheet.headers).toEqual(['Name', '', 'Phone']);
    expect(rows).toHaveLength(2);
  });
});

describe('CSV guards', () => {
  it('names the row and column where an unclosed quote starts', async () => {
    const lines = ['Name,Notes,Phone'];
    for (let i = 2; i < 57; i++) lines.push(`Client ${i},"note ${i}",07911 ${String(100000 + i)}`);
    lines.push('Broken,"this quote never closes,07911 123456');
    for (let i = 58; i < 70; i++) lines.push(`Client ${i},note,07911 ${String(100000 + i)}`);
    const path = temp.write('unclosed.csv', `${lines.join('\r\n')}\r\n`);
    const sheet = await openSheet(path, {});
    const seen: number[] = [];
    await expectInputError(
      (async () => {
        for await (const row of sheet.rows) seen.push(row.position.row);
      })(),
      { file: 'unclosed.csv', row: 57, column: 'Notes' },
      /^unclosed quote starting in row 57, column "Notes": everything after it would be read as one cell$/,
    );
    expect(seen).toHaveLength(55); // rows 2..56 came through before it
  });

  it('stops at an unclosed quote early in a big file instead of holding the rest in memory', async () => {
    const rest = Array.from({ length: 250_000 }, (_, i) => `Client ${i},notes about client ${i}`).join('\n');
    const path = temp.write('runaway.csv', `Name,Notes\nAnn,fine\nBob,"never closed\n${rest}\n`);
    await expectInputError(
      (async () => {
        for await (const _ of (await openSheet(path, {})).rows);
      })(),
      { file: 'runaway.csv', row: 3 },
      /no record ends in the 8\.0 MB of text after row 2: most likely a quote \("\) opens a cell in row 3/,
    );
  });

  it('reads 16 MB of wide rows taken slowly without mistaking them for an unclosed quote', async () => {
    const wide = Array.from({ length: 80 }, (_, i) => `value ${i} ${'w'.repeat(190)}`).join(',');
    const header = Array.from({ length: 80 }, (_, i) => `C${i}`).join(',');
    const path = temp.write('wide-rows.csv', `${header}\n${`${wide}\n`.repeat(1_000)}`);
    let count = 0;
    for await (const _ of (await openSheet(path, {})).rows) {
      count++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(count).toBe(1_000);
  });

  it('names the row and column of a cell far over the limit without reading it whole', async () => {
    const path = temp.write('fifty-mb.csv', `Ref,Case Name,Notes\nA1,${'x'.repeat(12 * 1_048_576)},end\nA2,ok,end\n`);
    await expectInputError(
      (async () => {
        for await (const _ of (await openSheet(path, {})).rows);
      })(),
      { file: 'fifty-mb.csv', row: 2, column: 'Case Name' },
      /^cell is over 8\.0 MB; the limit is 1 MB$/,
    );
  });

  it('names the column of an unclosed quote on an enormous line', async () => {
    const path = temp.write('quote-line.csv', `Ref,Notes\nA1,"${'y'.repeat(12 * 1_048_576)}\n`);
    await expectInputError(
      (async () => {
        for await (const _ of (await openSheet(path, {})).rows);
      })(),
      { row: 2, column: 'Notes' },
      /^unclosed quote starting in row 2, column "Notes"/,
    );
  });

  it('finds which field a line ends in, respecting quotes', () => {
    expect(lastFieldOf('a,"b,c",d', ',')).toEqual({ index: 2, quoted: false });
    expect(lastFieldOf('a,"b,""c', ',')).toEqual({ index: 1, quoted: true });
  });

  it('does not mistake a last cell that really starts with a quote for an unclosed quote', async () => {
    const path = temp.write('quote-start.csv', 'Name,Notes\nAnn,"""Quoted"" start"\nBob,"ends with quote"""');
    const { rows } = await readAll(path);
    expect(cellsOf(rows)).toEqual([
      ['Ann', '"Quoted" start'],
      ['Bob', 'ends with quote"'],
    ]);
  });

  it('refuses a cell over 1 MB, naming row, column and size', async () => {
    const big = 'z'.repeat(Math.round(MAX_CELL_CHARS * 1.2));
    const path = temp.write('big-cell.csv', `Name,Notes\nAnn,short\nBob,${big}\n`);
    const sheet = await openSheet(path, {});
    await expectInputError(
      (async () => {
        for await (const _ of sheet.rows);
      })(),
      { file: 'big-cell.csv', row: 3, column: 'Notes' },
      /^cell is 1\.2 MB; the limit is 1 MB$/,
    );
  });

  it('refuses a header of 20,000 columns', async () => {
    const header = Array.from({ length: 20_000 }, (_, i) => `C${i}`).join(',');
    const path = temp.write('wide.csv', `${header}\n1\n`);
    await expectInputError(openSheet(path, {}), { file: 'wide.csv', row: 1 }, /20,000 columns; the limit is 16,384/);
  });

  it('streams 50,000 rows in order with the right row numbers', async () => {
    const lines = ['Id,Name,Phone'];
    for (let i = 0; i < 50_000; i++) lines.push(`${i},"Name, ${i}",07911 ${String(100000 + (i % 900000))}`);
    const path = temp.write('50k.csv', `${lines.join('\n')}\n`);
    const sheet = await openSheet(path, {});
    let count = 0;
    let ordered = true;
    for await (const row of sheet.rows) {
      if (row.position.row !== count + 2 || row.cells[0] !== String(count)) ordered = false;
      count++;
    }
    expect(count).toBe(50_000);
    expect(ordered).toBe(true);
  });

  it('reads quoted cells with newlines, quotes and delimiters whole wherever the 64 KB chunks fall', async () => {
    // Rows of varying width, so the chunk boundaries land in every part of a record over the file.
    const expected: string[][] = [];
    const lines = ['Id,Note,Phone'];
    for (let i = 0; i < 6_000; i++) {
      const note = `line one ${'x'.repeat(i % 97)}\nsaid "hi", twice${i % 3 === 0 ? '\n' : ''}`;
      expected.push([String(i), note, `07911 ${String(100000 + i)}`]);
      lines.push(`${i},"${note.replaceAll('"', '""')}",07911 ${String(100000 + i)}`);
    }
    const path = temp.write('straddling.csv', `${lines.join('\r\n')}\r\n`);
    const { rows } = await readAll(path);
    expect(cellsOf(rows)).toEqual(expected);
    expect(rows.at(-1)?.position.row).toBe(6_001);
  });

  it('gives the same rows to a consumer that is slower than the parser', async () => {
    const lines = ['Id,Name'];
    for (let i = 0; i < 3_000; i++) lines.push(`${i},Name ${i}`);
    const path = temp.write('slow.csv', `${lines.join('\n')}\n`);
    const sheet = await openSheet(path, {});
    const ids: string[] = [];
    for await (const row of sheet.rows) {
      if (ids.length % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      ids.push(String(row.cells[0]));
    }
    expect(ids).toEqual(Array.from({ length: 3_000 }, (_, i) => String(i)));
  });

  it('closes cleanly when the consumer stops early', async () => {
    const sheet = await openSheet(fixture('quoted-newlines.csv'), {});
    for await (const _ of sheet.rows) break;
    // Reading the same file again works: nothing is left locked or hanging.
    expect((await readAll(fixture('quoted-newlines.csv'))).rows).toHaveLength(3);
  });
});

describe('reading back what our CSV writer neutralised', () => {
  it("a ' before = + - @ is dropped, so '+447911123456 reads as +447911123456; other apostrophes are data", async () => {
    const dir = tempDir('neutral-');
    const path = dir.path('out.csv');
    const writer = openCsvWriter(path, ['Name', 'Tel', 'Note']);
    await writer.addRow(["O'Brien", '+447911123456', '=1+1']);
    await writer.addRow(["'quoted'", '-12.50', '@home']);
    await writer.close();
    expect(cellsOf((await readAll(path)).rows)).toEqual([["O'Brien", '+447911123456', '=1+1'], ["'quoted'", '-12.50', '@home']]);
  });
});

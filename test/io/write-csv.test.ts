import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField, openCsvWriter } from '../../src/io/write-csv.js';
import { neutraliseFormula } from '../../src/io/safe-text.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'write-csv-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('neutraliseFormula', () => {
  it('prefixes a quote to text starting with = + - @ tab or CR, as papaparse escapeFormulae does', () => {
    const risky = ['=1+1', '+447911123456', '-12.50', '@SUM(A1)', '\t=1+1', '\r+1', '\tplain', '\rplain'];
    for (const text of risky) {
      expect(neutraliseFormula(text)).toBe(`'${text}`);
      expect(Papa.unparse([[text]], { escapeFormulae: true })).toContain(neutraliseFormula(text));
    }
  });

  it('leaves ordinary text alone, including a formula character later in the text', () => {
    for (const text of ['Smith', '07911 123456', 'a=b', ' =1', '', "'quoted"]) expect(neutraliseFormula(text)).toBe(text);
  });
});

describe('csvField', () => {
  it('writes numbers exactly (negative pennies are numbers, not text, so need no prefix)', () => {
    expect(csvField(-1250)).toBe('-1250');
    expect(csvField(0.1 + 0.2)).toBe(String(0.1 + 0.2));
    expect(csvField(Number.NaN)).toBe('');
  });

  it('writes dates as their wall-clock value, booleans as TRUE/FALSE and blanks as nothing', () => {
    expect(csvField(new Date(Date.UTC(2025, 0, 31)))).toBe('2025-01-31');
    expect(csvField(new Date(Date.UTC(2025, 0, 31, 9, 5, 7)))).toBe('2025-01-31 09:05:07');
    expect(csvField(true)).toBe('TRUE');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
  });

  it('quotes per RFC 4180: commas, quotes, line breaks and edge spaces', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded ')).toBe('" padded "');
    expect(csvField('=1,2')).toBe(`"'=1,2"`);
  });
});

describe('openCsvWriter', () => {
  it('writes a UTF-8 BOM, CRLF line ends, quoting and neutralised cells that papaparse reads back', async () => {
    const path = join(dir, 'out.csv');
    const writer = openCsvWriter(path, ['Name', 'Phone', 'Value', 'Note']);
    await writer.addRow(['Zoë O’Brien', '+447911123456', -1250, 'line one\r\nline "two", end']);
    await writer.addRow(['=HYPERLINK("http://evil")', null, 0, '@cmd']);
    await writer.close();

    const bytes = await readFile(path);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.startsWith('Name,Phone,Value,Note\r\n')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    const parsed = Papa.parse<string[]>(text, { newline: '\r\n', skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data).toEqual([
      ['Name', 'Phone', 'Value', 'Note'],
      ['Zoë O’Brien', "'+447911123456", '-1250', 'line one\r\nline "two", end'],
      [`'=HYPERLINK("http://evil")`, '', '0', "'@cmd"],
    ]);
  });

  it('can leave the BOM out', async () => {
    const path = join(dir, 'no-bom.csv');
    const writer = openCsvWriter(path, ['A'], { bom: false });
    await writer.addRow(['x']);
    await writer.close();
    expect(await readFile(path, 'utf8')).toBe('A\r\nx\r\n');
  });

  it('streams many rows in order through backpressure', async () => {
    const path = join(dir, 'many.csv');
    const writer = openCsvWriter(path, ['N', 'Text']);
    const rows = 50_000;
    for (let n = 0; n < rows; n += 1) await writer.addRow([n, `row ${n} with some padding text`]);
    await writer.close();
    const lines = (await readFile(path, 'utf8')).split('\r\n');
    expect(lines).toHaveLength(rows + 2);
    expect(lines[rows]).toBe(`${rows - 1},row ${rows - 1} with some padding text`);
  });

  it('the file appears at its name only when complete, and a discard leaves the one that was there', async () => {
    const folder = await mkdtemp(join(dir, 'atomic-'));
    const path = join(folder, 'out.csv');
    await writeFile(path, 'the previous export\r\n');
    const discarded = openCsvWriter(path, ['A']);
    await discarded.addRow(['half']);
    expect(await readFile(path, 'utf8')).toBe('the previous export\r\n');
    await discarded.discard();
    expect(await readFile(path, 'utf8')).toBe('the previous export\r\n');
    expect(await readdir(folder)).toEqual(['out.csv']);

    const written = openCsvWriter(path, ['A'], { bom: false });
    await written.addRow(['whole']);
    await written.close();
    expect(await readFile(path, 'utf8')).toBe('A\r\nwhole\r\n');
    expect(await readdir(folder)).toEqual(['out.csv']);
  });

  it('reports a file that cannot be written', async () => {
    const writer = openCsvWriter(join(dir, 'missing-folder', 'x.csv'), ['A']);
    await expect(writer.close()).rejects.toThrow(/ENOENT/);
  });
});

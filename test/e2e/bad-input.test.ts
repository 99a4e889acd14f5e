/**
 * The bad-input corpus (test/fixtures/bad/, large files generated here) through the CLI: every
 * file gets a clear one-line message and the right exit code (2 for input that cannot be read,
 * 1 for row-level problems), never a stack trace or a hang, and a structural failure never turns
 * into a partial import (the sandbox's write log is the judge).
 *
 * Most cases run the CLI in this process (runCliInProcess: the bin's runCli, same messages and
 * exit codes, without a second of start-up per child). The cases that measure peak memory (large
 * cells, billion laughs, zip bombs) and one import run the built bin as a child process, which
 * also shows what only a process can: the bin's exit code, and no stack trace on its stderr.
 *
 * Regenerate the committed fixtures with `npx tsx scripts/make-bad-fixtures.ts`.
 */
import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BAD_FIXTURES_DIR,
  RTL_EMOJI_NAMES,
  makeLargeCellCsv,
  makeWideCsv,
  makeZipBomb,
  readZipEntries,
  seedCaseUuids,
} from '../../scripts/make-bad-fixtures.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { column, readSheet, runCli, runCliInProcess, sandboxEnv, tempDir, type CliRun } from './helpers.js';

const fixture = (name: string) => join(BAD_FIXTURES_DIR, name);

const STACK_LINE = /^\s+at /m;

/** What every run must show whatever the input: it ended on its own, no stack trace, no "bug". */
function expectCleanEnd(run: CliRun, label: string): void {
  expect(run.timedOut, `${label}: hung (killed by the test's guard)`).toBe(false);
  expect(run.stderr, `${label}: stack trace on stderr`).not.toMatch(STACK_LINE);
  expect(run.stdout, `${label}: stack trace on stdout`).not.toMatch(STACK_LINE);
  expect(run.stderr, `${label}: reported as a bug`).not.toMatch(/unexpected error|This is a bug/i);
}

/** Exit 2 and exactly one line on stderr that names the file (and whatever else is asked). */
function expectUnreadable(run: CliRun, file: string, message?: RegExp): void {
  expectCleanEnd(run, file);
  expect(run.code, `${file}: exit code (stderr: ${run.stderr})`).toBe(2);
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, `${file}: stderr should be one line`).toHaveLength(1);
  expect(lines[0], `${file}: message names the file`).toContain(basename(file));
  if (message !== undefined) expect(lines[0]).toMatch(message);
}

/**
 * A problem tied to one row: either the row is reported invalid (exit 1, the Errors sheet holds
 * it) or the file is refused with a message naming that row (exit 2). Both are honest; a silent
 * exit 0 is not.
 */
async function expectRowProblem(run: CliRun, file: string, report: string, row: number, errorsHold: string): Promise<'row' | 'file'> {
  expectCleanEnd(run, file);
  expect([1, 2], `${file}: exit code (stderr: ${run.stderr})`).toContain(run.code);
  if (run.code === 2) {
    expectUnreadable(run, file, new RegExp(`row ${row}\\b`));
    return 'file';
  }
  const results = await readSheet(report, 'Results');
  const invalidRows = column(results, 'Row').filter((_, i) => column(results, 'Outcome')[i] === 'invalid');
  expect(invalidRows, `${file}: invalid rows`).toContain(String(row));
  const errors = await readSheet(report, 'Errors');
  expect(errors.slice(1).some((cells) => cells.some((cell) => cell.includes(errorsHold))), `${file}: Errors sheet holds row ${row}`).toBe(true);
  return 'row';
}

/** No cell of any sheet is a formula, read back by exceljs and in the raw sheet XML. */
async function expectNoFormulas(report: string): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(report);
  for (const sheet of workbook.worksheets) {
    sheet.eachRow((row) => {
      row.eachCell((cell) => {
        expect(cell.type, `${sheet.name}!${cell.address} is a formula`).not.toBe(ExcelJS.ValueType.Formula);
      });
    });
  }
  for (const [name, data] of await readZipEntries(report)) {
    if (name.startsWith('xl/worksheets/')) expect(data.toString('utf8'), name).not.toMatch(/<f[ >]/);
  }
}

let work: string;
beforeAll(async () => {
  work = await tempDir('plannr-bad-input-');
});

interface ValidateRun {
  readonly entity?: string;
  /** Run the built bin as a child process and measure its peak memory (run.peakMb); otherwise in this process. */
  readonly bin?: boolean;
  readonly guardMs?: number;
}

/** validate FILE --entity E --report <tmp>; returns the run and the report path. */
async function validate(file: string, extra: readonly string[] = [], { entity = 'cases', bin = false, guardMs = 60_000 }: ValidateRun = {}) {
  const report = join(work, `${basename(file)}.${Math.random().toString(36).slice(2)}.report.xlsx`);
  const args = ['validate', file, '--entity', entity, '--report', report, ...extra];
  // The guard is generous: on a loaded 2-core machine one child takes 2-20 s just to start.
  const run = bin ? await runCli(args, { cwd: work, guardMs, measureMemory: true }) : await runCliInProcess(args, { guardMs });
  return { run, report };
}

describe('files that cannot be read: exit 2, one line naming the file', { timeout: 240_000 }, () => {
  const unreadable: ReadonlyArray<readonly [file: string, message: RegExp, extra: readonly string[]]> = [
    ['empty.csv', /empty/i, []],
    ['bom-only.csv', /empty/i, []],
    ['header-only.csv', /no data rows/i, []],
    ['header-only.xlsx', /no data rows/i, []],
    ['blank-rows-only.csv', /no data rows|blank/i, []],
    ['blank-header.csv', /header/i, []],
    ['duplicate-headers.csv', /"Case Name"/, []],
    ['duplicate-alias-headers.csv', /Case Name|Title/, []],
    // 40 good rows first: the quote opened on row 42 is named, not just "a quote somewhere".
    ['unclosed-quote.csv', /row 42\b.*quote|quote.*row 42\b/i, []],
    ['png-as.csv', /PNG|image/i, []],
    ['png-as.xlsx', /PNG|image/i, []],
    ['pdf-as.xlsx', /PDF/i, []],
    ['garbage-not-zip.xlsx', /./, []],
    ['html-error-page.xlsx', /./, []],
    ['empty-zip.xlsx', /./, []],
    ['zip-without-workbook.xlsx', /workbook|worksheet|sheet/i, []],
    ['truncated.xlsx', /cut short|truncated|damaged|corrupt|incomplete/i, []],
    ['corrupt-sheet-entry.xlsx', /damaged|corrupt|CRC|checksum/i, []],
    ['corrupt-shared-strings.xlsx', /damaged|corrupt|CRC|checksum/i, []],
    ['ole2-password-protected.xlsx', /password|encrypt|\.xls\b|Excel 97|older Excel/i, []],
    ['legacy-binary.xls', /password|encrypt|\.xls\b|Excel 97|older Excel/i, []],
    ['two-sheets.xlsx', /"?Nope"?.*Cases|Cases.*"?Nope"?/, ['--sheet', 'Nope']],
    ['semicolons.csv', /;|delimiter/i, ['--delimiter', ',']],
    ['rtl-emoji.csv', /shift_jis.*utf-8|utf-8.*shift_jis/i, ['--encoding', 'shift_jis']],
  ];

  it.concurrent.each(unreadable)('%s', async (name, message, extra) => {
    const { run } = await validate(fixture(name), extra);
    expectUnreadable(run, name, message);
  });

  it.concurrent('a directory', async () => {
    const dir = join(work, 'a-folder.csv');
    await mkdir(dir, { recursive: true });
    const { run } = await validate(dir);
    expectUnreadable(run, 'a-folder.csv', /director|folder/i);
  });

  it.concurrent('a missing file', async () => {
    const { run } = await validate(join(work, 'no-such-file.xlsx'));
    expectUnreadable(run, 'no-such-file.xlsx', /not found|does not exist|no such|cannot find/i);
  });

  // root reads a chmod 000 file all the same: nothing to test there.
  (process.getuid?.() === 0 ? it.skip : it.concurrent)('an unreadable file (chmod 000)', async () => {
    const file = join(work, 'locked.csv');
    await writeFile(file, readFileSync(fixture('rtl-emoji.csv')));
    await chmod(file, 0o000);
    const { run } = await validate(file);
    expectUnreadable(run, 'locked.csv', /permission|not allowed|cannot read|access/i);
  });
});

describe('problems in one row: the row is reported, the file is not silently accepted', { timeout: 240_000 }, () => {
  it.concurrent('a row wider than the header (row 4)', async () => {
    const { run, report } = await validate(fixture('row-wider-than-header.csv'));
    // The Errors sheet repeats the input's columns (to re-import as is): it holds row 4 by its key.
    await expectRowProblem(run, 'row-wider-than-header.csv', report, 4, seedCaseUuids[2]!);
  });

  it.concurrent('text after a closing quote (row 5)', async () => {
    const { run, report } = await validate(fixture('text-after-quote.csv'));
    await expectRowProblem(run, 'text-after-quote.csv', report, 5, 'then text');
  });

  it.concurrent('a NUL byte in the first 8 KB (row 3)', async () => {
    const { run, report } = await validate(fixture('nul-early.csv'));
    if (run.code === 2) expectUnreadable(run, 'nul-early.csv');
    else await expectRowProblem(run, 'nul-early.csv', report, 3, 'NUL');
  });

  it.concurrent('a NUL byte past the first 8 KB (row 202)', async () => {
    const { run, report } = await validate(fixture('nul-late.csv'));
    await expectRowProblem(run, 'nul-late.csv', report, 202, 'Late');
  });

  it.concurrent('a 1 MB cell is reported on its row, not sent, and the run stays small', async () => {
    const file = join(work, 'one-megabyte-cell.csv');
    await makeLargeCellCsv(file, 1_000_000);
    const { run, report } = await validate(file, [], { bin: true });
    await expectRowProblem(run, 'one-megabyte-cell.csv', report, 2, 'xxxxxxxx');
    expect(run.peakMb).toBeLessThan(400);
  });

  it.concurrent('a 50 MB cell: its row (and column) is named, in bounded time and memory', async () => {
    const file = join(work, 'fifty-megabyte-cell.csv');
    await makeLargeCellCsv(file, 50 * 1024 * 1024);
    const { run, report } = await validate(file, [], { bin: true, guardMs: 120_000 });
    console.log(`50 MB cell: exit ${run.code}, peak RSS ${run.peakMb} MB: ${run.stderr.trim() || run.stdout.trim()}`);
    const outcome = await expectRowProblem(run, 'fifty-megabyte-cell.csv', report, 2, 'xxxxxxxx');
    if (outcome === 'file') expect(run.stderr).toContain('Case Name');
    expect(run.peakMb).toBeLessThan(800);
  });

  it.concurrent("a number Excel cut to 15 digits is not sent as if exact", async () => {
    const { run, report } = await validate(fixture('long-numbers.xlsx'));
    expectCleanEnd(run, 'long-numbers.xlsx');
    expect(run.code).toBe(1);
    const results = await readSheet(report, 'Results');
    const status = column(results, 'Outcome');
    // Row 2: a 19-digit reference stored as a number (Excel kept 15 digits) in Case Name.
    // Row 3: 12345678901234567 as a money value: more than 2^53 pennies cannot be exact.
    expect(status, `statuses; messages: ${column(results, 'Message').join(' | ')}`).toEqual(['invalid', 'invalid']);
  });

  it.concurrent('a 16-digit phone stored as a number is rejected, not shortened', async () => {
    const { run, report } = await validate(fixture('contact-long-number.xlsx'), [], { entity: 'contact-details' });
    await expectRowProblem(run, 'contact-long-number.xlsx', report, 2, 'Mobile');
  });

  it.concurrent('spreadsheet-injection payloads in every column: reported as text, never as formulas', async () => {
    const { run, report } = await validate(fixture('injection.csv'));
    expectCleanEnd(run, 'injection.csv');
    expect(run.code).toBe(1);
    const results = await readSheet(report, 'Results');
    const status = column(results, 'Outcome');
    expect(status.slice(0, 8)).toEqual(Array(8).fill('invalid'));
    expect(status.slice(8)).toEqual(['valid', 'valid']);
    expect(column(results, 'Case Name → sent').slice(8)).toEqual(['=HYPERLINK("http://evil.example","click")', "@SUM(1+1)*cmd|' /C calc'!A0"]);
    const errors = await readSheet(report, 'Errors');
    expect(errors).toHaveLength(9);
    expect(errors.slice(1).map((r) => r[0])).toContain("=cmd|' /C calc'!A0");
    await expectNoFormulas(report);
  });
});

describe('valid but unusual input is read exactly', { timeout: 240_000 }, () => {
  it.concurrent('right-to-left and emoji text round-trips untouched into the report', async () => {
    const { run, report } = await validate(fixture('rtl-emoji.csv'));
    expectCleanEnd(run, 'rtl-emoji.csv');
    expect(run.code, run.stderr).toBe(0);
    const results = await readSheet(report, 'Results');
    expect(column(results, 'Case Name')).toEqual([...RTL_EMOJI_NAMES]);
    // "→ sent" is blank where nothing changed, or repeats the value: either way never altered.
    for (const [i, sent] of column(results, 'Case Name → sent').entries()) {
      if (sent !== '') expect(sent).toBe(RTL_EMOJI_NAMES[i]);
    }
  });

  it.concurrent('a long number kept as text in a CSV keeps every digit', async () => {
    const { run, report } = await validate(fixture('long-number-in-text.csv'));
    expectCleanEnd(run, 'long-number-in-text.csv');
    expect(run.code, run.stderr).toBe(0);
    expect(column(await readSheet(report, 'Results'), 'Case Name')).toEqual(['1234567890123456789']);
  });

  it.concurrent('formula cells are read by their cached result; the report holds no formula', async () => {
    const { run, report } = await validate(fixture('formulas.xlsx'));
    expectCleanEnd(run, 'formulas.xlsx');
    expect(run.code, run.stderr).toBe(0);
    const results = await readSheet(report, 'Results');
    expect(column(results, 'Case Name')).toEqual(['Click here', 'Calc name', 'Review 2026']);
    // 2, 100 and 3 pounds: sent as pennies, shown to people in pounds and pence.
    expect(column(results, 'Case Value (£) → sent')).toEqual(['£2.00', '£100.00', '£3.00']);
    await expectNoFormulas(report);
  });

  it.concurrent('the same date in a 1900 and a 1904 workbook reads as the same date', async () => {
    const [a, b] = await Promise.all([validate(fixture('dates-1900.xlsx')), validate(fixture('dates-1904.xlsx'))]);
    for (const { run } of [a, b]) {
      expectCleanEnd(run, 'dates');
      expect(run.code, run.stderr).toBe(0);
    }
    const sent1900 = column(await readSheet(a.report, 'Results'), 'Review Date → sent');
    const sent1904 = column(await readSheet(b.report, 'Results'), 'Review Date → sent');
    expect(sent1900).toEqual(['2026-03-18T16:05:00+00:00']);
    expect(sent1904).toEqual(sent1900);
  });

  it.concurrent('a semicolon file is read when its delimiter is detected', async () => {
    const { run } = await validate(fixture('semicolons.csv'));
    expectCleanEnd(run, 'semicolons.csv');
    expect(run.code, run.stderr).toBe(0);
  });

  it.concurrent('UTF-16 without a BOM is refused clearly or read exactly; with --encoding it is read exactly', async () => {
    const plain = await validate(fixture('utf16le-no-bom.csv'));
    expectCleanEnd(plain.run, 'utf16le-no-bom.csv');
    if (plain.run.code === 2) expectUnreadable(plain.run, 'utf16le-no-bom.csv', /UTF-16|encoding/i);
    else expect(plain.run.code, plain.run.stderr).toBe(0);
    const given = await validate(fixture('utf16le-no-bom.csv'), ['--encoding', 'utf-16le']);
    expectCleanEnd(given.run, 'utf16le-no-bom.csv');
    expect(given.run.code, given.run.stderr).toBe(0);
    const names = column(await readSheet(given.report, 'Results'), 'Case Name');
    expect(names).toEqual(['Bad input fixture 1', 'Bad input fixture 2', 'Bad input fixture 3']);
    if (plain.run.code === 0) expect(column(await readSheet(plain.report, 'Results'), 'Case Name')).toEqual(names);
  });

  it.concurrent('10,000 columns: refused as matching nothing, then read once --mapping says the unknown ones are extra', async () => {
    const file = join(work, 'ten-thousand-columns.csv');
    await makeWideCsv(file, 10_000);
    const refused = await validate(file);
    expect(refused.run.code, refused.run.stderr).toBe(2);
    expect(refused.run.stderr).toContain('{"*": null} for every column that matches no field');
    const mapping = join(work, 'ignore-other-columns.json');
    await writeFile(mapping, '{"*": null}');
    const { run, report } = await validate(file, ['--mapping', mapping]);
    expectCleanEnd(run, 'ten-thousand-columns.csv');
    expect(run.code, run.stderr).toBe(0);
    expect(column(await readSheet(report, 'Results'), 'Outcome')).toEqual(['valid', 'valid', 'valid']);
  });

  it.concurrent('a control file (valid xlsx, 300 rows) passes', async () => {
    const { run } = await validate(fixture('valid-cases.xlsx'));
    expectCleanEnd(run, 'valid-cases.xlsx');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/300 rows read: 300 valid, 0 invalid/);
  });
});

describe('hostile XML', { timeout: 240_000 }, () => {
  const leaked = /root:.*:0:0:|\/bin\/(ba)?sh|nologin/;

  it.concurrent.each(['xxe-sheet.xlsx', 'xxe-shared-strings.xlsx'])('%s: an external entity never reads a local file', async (name) => {
    const { run, report } = await validate(fixture(name));
    expectCleanEnd(run, name);
    expect(run.stdout + run.stderr).not.toMatch(leaked);
    if (run.code === 2) {
      expectUnreadable(run, name);
      return;
    }
    for (const [part, data] of await readZipEntries(report)) expect(data.toString('utf8'), part).not.toMatch(leaked);
  });

  it.concurrent('billion laughs: entities are not expanded into memory', async () => {
    const { run, report } = await validate(fixture('billion-laughs.xlsx'), [], { bin: true });
    console.log(`billion laughs: exit ${run.code}, peak RSS ${run.peakMb} MB: ${run.stderr.trim()}`);
    expectCleanEnd(run, 'billion-laughs.xlsx');
    expect(run.peakMb).toBeLessThan(500);
    if (run.code === 2) return expectUnreadable(run, 'billion-laughs.xlsx');
    for (const [part, data] of await readZipEntries(report)) expect(data.toString('utf8'), part).not.toMatch(/(haha){1000}/);
  });
});

describe('zip bombs: a sheet that inflates to more than 1 GB', { timeout: 240_000 }, () => {
  // ~1 MB on disk each; generated, never committed.
  it.concurrent.each([
    ['honest sizes', false],
    ['sizes that lie (4 KB declared)', true],
  ] as const)('with %s it is refused with a message about the uncompressed size', async (_label, lieAboutSize) => {
    const file = join(work, `zip-bomb-${lieAboutSize ? 'lying' : 'honest'}.xlsx`);
    await makeZipBomb(file, { cellBytes: 1100 * 1024 * 1024, lieAboutSize });
    const { run } = await validate(file, [], { bin: true, guardMs: 120_000 });
    console.log(`zip bomb (${_label}): exit ${run.code}, peak RSS ${run.peakMb} MB: ${run.stderr.trim()}`);
    expectCleanEnd(run, basename(file));
    expect(run.peakMb, 'peak RSS (MB)').toBeLessThan(1024);
    expectUnreadable(run, basename(file), /uncompressed|inflate|expand|too large|size/i);
  });
});

describe('import never sends part of a file it cannot read to the end', { timeout: 240_000 }, () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, ratePerMinute: 0 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  // The first through the built bin (a child process), the rest in this process.
  const structural: ReadonlyArray<readonly [file: string, extra: readonly string[], runs: 'bin' | 'in process']> = [
    ['unclosed-quote.csv', [], 'bin'],
    ['truncated.xlsx', [], 'in process'],
    ['corrupt-sheet-entry.xlsx', [], 'in process'],
    ['corrupt-shared-strings.xlsx', [], 'in process'],
    ['ole2-password-protected.xlsx', [], 'in process'],
    ['duplicate-headers.csv', [], 'in process'],
    ['semicolons.csv', ['--delimiter', ','], 'in process'],
  ];

  it.concurrent.each(structural)('%s: exit 2 and zero writes', async (name, extra, runs) => {
    const before = sandbox.writes.length;
    const dir = await tempDir('plannr-bad-import-');
    const args = ['import', fixture(name), '--entity', 'cases', '--report', join(dir, 'report.xlsx'), '--journal', join(dir, 'journal'), '--rate', 'off', ...extra];
    const options = { env: sandboxEnv(sandbox), guardMs: 60_000 };
    const run = runs === 'bin' ? await runCli(args, { ...options, cwd: dir }) : await runCliInProcess(args, options);
    expectUnreadable(run, name);
    expect(sandbox.writes.length - before, `${name}: writes`).toBe(0);
  });
});

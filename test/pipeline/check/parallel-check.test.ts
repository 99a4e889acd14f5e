import ExcelJS from 'exceljs';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { openSheet } from '../../../src/io/read.js';
import type { SourceRow } from '../../../src/io/rows.js';
import { outcomeOf, type RowOutcome } from '../../../src/outcome/row-outcome.js';
import { defaultNormaliseOptions, type NormaliseOptions } from '../../../src/normalise/result.js';
import type { RowCheck } from '../../../src/pipeline/check/check-row.js';
import type { MappingOverrides } from '../../../src/pipeline/input/mapping.js';
import { openInput } from '../../../src/pipeline/input/open-input.js';
import { duplicateCheck } from '../../../src/pipeline/outcome.js';
import { autoThreads, CALIBRATION_ROWS, checkRows, decodeChecks, encodeChecks, PARALLEL_MIN_BYTES, type CheckerSetup } from '../../../src/pipeline/check/parallel-check.js';
import { runValidate } from '../../../src/pipeline/validate.js';
import { runCli, runCliInProcess, withoutProgress } from '../../e2e/helpers.js';

const repo = join(import.meta.dirname, '..', '..', '..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plannr-parallel-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const uuid = (i: number, salt = 0) => {
  const hex = (n: number, w: number) => (n >>> 0).toString(16).padStart(w, '0').slice(-w);
  const a = Math.imul(i + 1, 0x9e3779b1) ^ salt;
  return `${hex(a, 8)}-${hex(i, 4)}-4${hex(a >>> 4, 3)}-a${hex(salt, 3)}-${hex(i, 12)}`;
};
const csvCell = (text: string) => (/[",\r\n;]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/** Cases with every kind of problem mixed in, plus duplicates and (clear) tokens. */
function caseLine(i: number): string[] {
  const kind = i % 13;
  const day = 13 + (i % 15);
  return [
    kind === 0 ? '' : kind === 1 ? 'not-a-uuid' : kind === 2 ? uuid(i - 2) : uuid(i), // create, bad key, duplicate of an earlier row
    kind === 3 ? '' : `Review ${i} “quoted”, with comma`,
    uuid(i % 7, 1),
    kind === 4 ? 'first' : String(1 + (i % 9)),
    uuid(i % 5, 2),
    kind === 5 ? '£1,234.567' : kind === 6 ? '(clear)' : `£${i % 100_000}.${String(i % 100).padStart(2, '0')}`,
    kind === 7 ? '03/04/2025' : `${day}/${String(1 + (i % 12)).padStart(2, '0')}/2026 10:30`,
    kind === 8 ? '(clear)' : '',
    `${uuid(i % 11, 3)}; ${uuid(i % 13, 4)}`,
    kind === 9 ? 'nope' : i % 4 === 0 ? uuid(i, 5) : '',
    kind === 0 ? uuid(i % 17, 6) : '',
  ];
}
const caseHeader = ['Case ID', 'Case Name', 'Case Status', 'Status Position', 'Case Type', 'Case Value (£)', 'Review Date', 'Date Completed', 'Assigned To', 'Plans', 'Clients'];

/** Contact details: valid and invalid phones (UK, with a country column, drama range), emails, wide rows. */
function contactLine(i: number): string[] {
  const kind = i % 11;
  const phones = ['07911 123456', '+44 7911 1' + String(10000 + (i % 89999)), '020 7946 0018', '(02) 9374 4000', '07700 900123', 'call me', '+1 415 555 2671', '07911 12345', 'x@example.com', 'not an email@', '01632 960 001'];
  const line = [
    kind === 10 ? 'bad' : kind === 9 ? uuid(i - 9, 7) : uuid(i, 7),
    kind === 2 ? '' : 'Mobile',
    kind === 8 ? 'email' : 'phone_number',
    phones[kind]!,
    kind === 3 ? 'AU' : kind === 6 ? 'US' : kind === 4 ? 'United Kingdom' : '',
    `${uuid(i % 100, 8)},${uuid(i % 50, 9)}`,
  ];
  return i % 97 === 0 ? [...line, 'stray', 'cells'] : line;
}
const contactHeader = ['UUID', 'Name', 'Type', 'Value', 'Country', 'Accounts'];

async function writeCsv(name: string, header: string[], line: (i: number) => string[], rows: number): Promise<string> {
  const path = join(dir, name);
  const lines = [header.join(',')];
  for (let i = 0; i < rows; i++) lines.push(line(i).map(csvCell).join(','));
  await writeFile(path, `${lines.join('\r\n')}\r\n`);
  return path;
}

interface Run {
  readonly outcomes: RowOutcome[];
  readonly checks: RowCheck[];
}

/** The validate loop, with every outcome kept: threads 0 and threads N must give the same. */
async function outcomesOf(file: string, entity: string, threads: number, extra: { mapping?: MappingOverrides; normalise?: NormaliseOptions; batchSize?: number } = {}): Promise<Run> {
  const normalise = extra.normalise ?? defaultNormaliseOptions;
  const input = await openInput({ file, entity, normalise, mapping: extra.mapping });
  const setup: CheckerSetup = {
    entity, headers: input.sheet.headers, mapping: extra.mapping, normalise, file: input.sheet.file, sheet: input.sheet.sheet,
    fields: input.mapping.sources.map((s) => s.column.field),
  };
  const markDuplicates = duplicateCheck();
  const outcomes: RowOutcome[] = [];
  const checks: RowCheck[] = [];
  for await (const batch of checkRows(input.sheet.rows, input.check, { threads, setup, batchSize: extra.batchSize })) {
    batch.rows.forEach((row, i) => {
      checks.push(batch.checks[i]!);
      const check = markDuplicates(row, batch.checks[i]!);
      outcomes.push(outcomeOf(row, check, check.problems.length === 0 ? 'valid' : 'invalid'));
    });
  }
  return { outcomes, checks };
}

/** Rows for the same-outcome checks: about 16 batches of PARALLEL_BATCH_SIZE (256), so both workers take several, in any order. */
const MIXED_ROWS = 4_000;

describe('checking rows on worker threads', () => {
  test(`${MIXED_ROWS} mixed cases rows give the same outcome for every row with 0 and 2 worker threads`, async () => {
    const file = await writeCsv('cases.csv', caseHeader, caseLine, MIXED_ROWS);
    const single = await outcomesOf(file, 'cases', 0);
    const parallel = await outcomesOf(file, 'cases', 2);
    expect(single.outcomes).toHaveLength(MIXED_ROWS);
    const invalid = single.outcomes.filter((o) => o.status === 'invalid').length;
    expect(invalid).toBeGreaterThan(MIXED_ROWS / 6); // the mix really is mixed
    expect(invalid).toBeLessThan((MIXED_ROWS * 5) / 6);
    expect(parallel.outcomes).toStrictEqual(single.outcomes);
    expect(parallel.checks).toStrictEqual(single.checks); // values too, not only what the report shows
    // Key order of values/display is the checker's own (reports and requests may rely on it).
    parallel.checks.forEach((check, i) => expect(Object.keys(check.values)).toEqual(Object.keys(single.checks[i]!.values)));
  });

  test(`${MIXED_ROWS} mixed contact-detail rows (phones, emails, countries) give the same outcomes with 0 and 2 worker threads`, async () => {
    const file = await writeCsv('contacts.csv', contactHeader, contactLine, MIXED_ROWS);
    const single = await outcomesOf(file, 'contact-details', 0);
    const parallel = await outcomesOf(file, 'contact-details', 2, { batchSize: 100 });
    expect(single.outcomes.some((o) => o.status === 'valid')).toBe(true);
    expect(single.outcomes.some((o) => o.problems.some((p) => p.column === 'Value'))).toBe(true);
    expect(parallel.outcomes).toStrictEqual(single.outcomes);
    expect(parallel.checks).toStrictEqual(single.checks);
  });

  test('runValidate counts the same with threads 0 and 2, and --mapping overrides and options reach the workers', async () => {
    const header = ['Ref', 'Label', 'Type', 'Tel', 'Accounts'];
    const file = await writeCsv('mapped.csv', header, (i) => [uuid(i, 7), `Label ${i}`, 'phone_number', i % 3 === 0 ? '(02) 9374 4000' : '0412 345 678', uuid(i, 8)], 3_000);
    const mapping: MappingOverrides = { Ref: 'uuid', Tel: 'value', Label: null, name: { constant: 'Mobile' } };
    const au: NormaliseOptions = { ...defaultNormaliseOptions, defaultCountry: 'AU' };
    const single = await outcomesOf(file, 'contact-details', 0, { mapping, normalise: au });
    const parallel = await outcomesOf(file, 'contact-details', 2, { mapping, normalise: au, batchSize: 64 });
    expect(parallel.outcomes).toStrictEqual(single.outcomes);
    expect(single.outcomes.every((o) => o.status === 'valid' && o.normalised['name'] === 'Mobile')).toBe(true);
    const counts = async (threads: number) => (await runValidate({ file, entity: 'contact-details', mapping, normalise: au, threads })).counts;
    expect(await counts(2)).toStrictEqual(await counts(0));
  });

  test('XLSX cells (dates, numbers, booleans, blanks) survive the trip to a worker and back', async () => {
    const path = join(dir, 'cases.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Cases');
    sheet.addRow(caseHeader);
    for (let i = 0; i < 600; i++) {
      const line: ExcelJS.CellValue[] = caseLine(i);
      line[3] = i % 5 === 0 ? 1 + (i % 9) : line[3]!; // a real number
      line[5] = i % 3 === 0 ? 1234.5 + i : i % 7 === 0 ? true : line[5]!;
      line[6] = i % 2 === 0 ? new Date(Date.UTC(2026, i % 12, 13 + (i % 15), 9, 30)) : line[6]!;
      line[7] = i % 4 === 0 ? new Date(Date.UTC(2025, 0, 31)) : null;
      sheet.addRow(line);
    }
    await workbook.xlsx.writeFile(path);
    const single = await outcomesOf(path, 'cases', 0);
    const parallel = await outcomesOf(path, 'cases', 1, { batchSize: 50 });
    expect(single.outcomes.some((o) => o.original.some((cell) => cell instanceof Date))).toBe(true);
    expect(parallel.outcomes).toStrictEqual(single.outcomes);
  });

  test('an error inside a worker stops the run with a message naming the rows, and does not hang', async () => {
    const file = await writeCsv('short.csv', caseHeader, caseLine, 2_000);
    const input = await openInput({ file, entity: 'cases', normalise: defaultNormaliseOptions });
    // The main thread's checker is fine; the workers' setup names an entity that does not exist.
    const setup: CheckerSetup = { entity: 'no-such-entity', headers: input.sheet.headers, normalise: defaultNormaliseOptions, file: 'short.csv', fields: [] };
    const consume = async () => {
      for await (const _ of checkRows(input.sheet.rows, input.check, { threads: 2, setup, batchSize: 100 })) { /* drain */ }
    };
    await expect(consume()).rejects.toThrow(/checking rows 2–101 in worker thread 1 failed: UsageError: unknown entity "no-such-entity"/);
  });

  test('a worker that dies surfaces as an error naming its exit code', async () => {
    const script = join(dir, 'dies.mjs');
    await writeFile(script, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(7));\n");
    const file = await writeCsv('dies.csv', caseHeader, caseLine, 2_000);
    const input = await openInput({ file, entity: 'cases', normalise: defaultNormaliseOptions });
    const setup: CheckerSetup = { entity: 'cases', headers: input.sheet.headers, normalise: defaultNormaliseOptions, file: 'dies.csv', fields: [] };
    const consume = async () => {
      for await (const _ of checkRows(input.sheet.rows, input.check, { threads: 1, setup, batchSize: 100, workerScript: new URL(`file://${script}`) })) { /* drain */ }
    };
    await expect(consume()).rejects.toThrow(/worker thread 1 stopped unexpectedly \(exit code 7\)/);
  });

  test('a worker that throws while loading surfaces as a crash, not a hang', async () => {
    const script = join(dir, 'throws.mjs');
    await writeFile(script, "throw new Error('broken build');\n");
    const file = await writeCsv('throws.csv', caseHeader, caseLine, 1_000);
    const input = await openInput({ file, entity: 'cases', normalise: defaultNormaliseOptions });
    const setup: CheckerSetup = { entity: 'cases', headers: input.sheet.headers, normalise: defaultNormaliseOptions, file: 'throws.csv', fields: [] };
    const consume = async () => {
      for await (const _ of checkRows(input.sheet.rows, input.check, { threads: 1, setup, batchSize: 100, workerScript: new URL(`file://${script}`) })) { /* drain */ }
    };
    await expect(consume()).rejects.toThrow(/worker thread 1 crashed: broken build/);
  });

  describe('adaptive (the default): the first rows are timed, then the rest goes to workers only when checking costs WORTH_IT_RATIO times reading or more', () => {
    // The calibration's clock (performance.now) is faked and moves only where a test says: the
    // decision is the rule's, not the machine's (a busy machine timed phones as cheap as reading).
    let clock = 0;
    beforeEach(() => {
      clock = 0;
      vi.spyOn(performance, 'now').mockImplementation(() => clock);
    });
    afterEach(() => {
      vi.restoreAllMocks();
    });
    const costly = (check: (row: SourceRow) => RowCheck) => (row: SourceRow) => {
      clock += 10;
      return check(row);
    };
    async function* slowToRead(rows: AsyncIterable<SourceRow>): AsyncIterable<SourceRow> {
      for await (const row of rows) {
        clock += 10;
        yield row;
      }
    }
    const dyingWorker = async () => {
      const script = join(dir, 'dies-late.mjs');
      await writeFile(script, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(9));\n");
      return new URL(`file://${script}`);
    };

    test('costly checks move to workers after the timed rows, with the same outcomes', async () => {
      const file = await writeCsv('adaptive.csv', contactHeader, contactLine, 12_000);
      const input = await openInput({ file, entity: 'contact-details', normalise: defaultNormaliseOptions });
      const setup: CheckerSetup = { entity: 'contact-details', headers: input.sheet.headers, normalise: defaultNormaliseOptions, file: input.sheet.file, fields: input.mapping.sources.map((s) => s.column.field) };
      const markDuplicates = duplicateCheck();
      const outcomes: RowOutcome[] = [];
      for await (const batch of checkRows(input.sheet.rows, costly(input.check), { threads: 2, setup, adaptive: true })) {
        batch.rows.forEach((row, i) => {
          const check = markDuplicates(row, batch.checks[i]!);
          outcomes.push(outcomeOf(row, check, check.problems.length === 0 ? 'valid' : 'invalid'));
        });
      }
      expect(outcomes).toStrictEqual((await outcomesOf(file, 'contact-details', 0)).outcomes);
      // A worker that dies proves the workers were used, from the first row after the timed ones.
      const again = await openInput({ file, entity: 'contact-details', normalise: defaultNormaliseOptions });
      let checked = 0;
      const consume = async () => {
        for await (const batch of checkRows(again.sheet.rows, costly(again.check), { threads: 1, setup, adaptive: true, workerScript: await dyingWorker() })) checked += batch.rows.length;
      };
      await expect(consume()).rejects.toThrow(/exit code 9/);
      expect(checked).toBe(CALIBRATION_ROWS);
    });

    test('checks no costlier than reading stay on this thread (no worker is started)', async () => {
      const file = await writeCsv('adaptive-cheap.csv', caseHeader, caseLine, 12_000);
      const input = await openInput({ file, entity: 'cases', normalise: defaultNormaliseOptions });
      const setup: CheckerSetup = { entity: 'cases', headers: input.sheet.headers, normalise: defaultNormaliseOptions, file: input.sheet.file, fields: input.mapping.sources.map((s) => s.column.field) };
      let checked = 0;
      for await (const batch of checkRows(slowToRead(input.sheet.rows), costly(input.check), { threads: 1, setup, adaptive: true, workerScript: await dyingWorker() })) {
        checked += batch.rows.length;
      }
      expect(checked).toBe(12_000);
    });
  });

  test('stopping early (break) ends the workers, and a new run works after it', async () => {
    const file = await writeCsv('early.csv', caseHeader, caseLine, 5_000);
    const input = await openInput({ file, entity: 'cases', normalise: defaultNormaliseOptions });
    const setup: CheckerSetup = { entity: 'cases', headers: input.sheet.headers, normalise: defaultNormaliseOptions, file: input.sheet.file, fields: input.mapping.sources.map((s) => s.column.field) };
    let seen = 0;
    for await (const batch of checkRows(input.sheet.rows, input.check, { threads: 2, setup, batchSize: 100 })) {
      seen += batch.rows.length;
      if (seen >= 300) break;
    }
    expect(seen).toBe(300);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Worker' || r === 'MessagePort')).toEqual([]);
    const again = await outcomesOf(file, 'cases', 2);
    expect(again.outcomes).toHaveLength(5_000);
  });
});

describe('packing checks for the trip back', () => {
  const fields = ['uuid', 'name', 'value', 'plans'];

  test('unpacking gives back exactly what was packed: clears, absent fields, lists, problems, unknown keys', () => {
    const checks: RowCheck[] = [
      { key: 'k1', action: 'update', values: { uuid: 'k1', name: 'A', plans: ['p1', 'p2'] }, display: { uuid: 'k1', name: 'A', plans: 'p1; p2' }, problems: [] },
      { key: '', action: 'create', values: { value: null }, display: { value: '(clear)' }, problems: [] },
      { key: '', action: 'none', values: { name: 'B' }, display: { name: 'B' }, problems: [{ columnIndex: 2, column: 'Value', message: 'three decimals' }] },
      { key: '', action: 'none', values: {}, display: {}, problems: [{ columnIndex: -1, column: '(row)', message: 'too wide' }] },
      { key: 'k5', action: 'update', values: { uuid: 'k5', extra: new Date(0), value: 0 }, display: { uuid: 'k5', value: 0 }, problems: [] },
      { key: 'k6', action: 'update', values: { uuid: 'k6', value: -0, name: '' }, display: { uuid: 'k6', value: 0, name: '' }, problems: [] },
      { key: '', action: 'create', values: { name: 'Zoë “😀” \uD800 end', value: 12 }, display: { name: 'Zoë “😀” \uD800 end', value: '£0.12' as never }, problems: [] },
      { key: 'k8', action: 'update', values: { uuid: 'k8', name: 'same' }, display: { uuid: 'k8', name: 'shown differently' }, problems: [] },
    ];
    const back = decodeChecks(structuredClone(encodeChecks(checks, fields)), fields);
    expect(back).toStrictEqual(checks);
    expect(Object.is(back[5]!.values['value'], -0)).toBe(true);
    expect(Object.is(back[5]!.display['value'], 0)).toBe(true);
  });
});

describe('when workers are used', () => {
  test('by default only files over 2 MB get workers: cores minus one, at least one', () => {
    expect(autoThreads(PARALLEL_MIN_BYTES, 8)).toBe(0);
    expect(autoThreads(PARALLEL_MIN_BYTES + 1, 8)).toBe(7);
    expect(autoThreads(50_000_000, 2)).toBe(1);
    expect(autoThreads(50_000_000, 1)).toBe(1);
  });

  test('the built CLI checks rows on worker threads loaded from dist/*.js, with the same result as --threads 0', async () => {
    // dist/ is built once by the global set-up: rebuilding it here raced the other files' CLI runs.
    expect(existsSync(join(repo, 'dist', 'pipeline', 'check', 'check-worker.js'))).toBe(true);
    // About 12 batches: both workers take several. --threads 2, not the default: the default starts
    // workers only for files over 2 MB whose checks the first rows time as costly, which the
    // machine's speed decides (the rule itself is tested above, on a fake clock).
    const rows = 3_000;
    const file = await writeCsv('cli-cases.csv', caseHeader, caseLine, rows);
    // What a run says, less its progress lines: one comes every few seconds, so how many a run prints depends on the machine.
    const validate = async (threads: string, report: string) => {
      const { code, stdout, stderr } = await runCli(['validate', file, '--entity', 'cases', '--report', join(dir, report), '--threads', threads], { cwd: dir, guardMs: 170_000 });
      return { code, stdout: stdout.replaceAll(report, '<report>'), stderr: withoutProgress(stderr) };
    };
    const [workers, none] = await Promise.all([validate('2', 'workers.xlsx'), validate('0', 'none.xlsx')]);
    expect(workers.code).toBe(1); // some rows are invalid on purpose
    expect(workers.stdout).toMatch(new RegExp(`^${rows} rows read: \\d+ valid, \\d+ invalid`));
    expect(none).toEqual(workers);
    // The reports' Results sheets agree row for row.
    const results = async (report: string) => {
      const sheet = await openSheet(join(dir, report), { sheet: 'Results' });
      const cells: unknown[] = [];
      for await (const row of sheet.rows) cells.push(row.cells);
      return cells;
    };
    const workerResults = await results('workers.xlsx');
    expect(workerResults).toHaveLength(rows);
    expect(await results('none.xlsx')).toStrictEqual(workerResults);
    // A flag error needs no process of its own: the CLI in this process says the same.
    expect((await runCliInProcess(['validate', file, '--entity', 'cases', '--threads', 'many'])).code).toBe(2);
  }, 180_000);
});

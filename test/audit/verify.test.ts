/**
 * The manifest end to end, over loopback against the sandbox with the built CLI: import writes
 * it beside the report, `verify` accepts it, and rejects it once one byte of the input changes
 * or the report's Results are edited. Expected digests are computed here from the definition in
 * outcome-digest.ts over the report as exceljs (an independent reader) sees it.
 */
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_TOKEN } from '../../src/sandbox/seed.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { column, readSheet, runCli, sandboxEnv, tempDir, writeCsv } from '../e2e/helpers.js';

const header = ['Case ID', 'Case Name', 'Case Value (£)', 'Review Date', 'Clients'];

/** The built CLI (test/global-setup.ts builds it), pointed at the sandbox when one is given. */
function cli(args: readonly string[], sandbox?: Parameters<typeof sandboxEnv>[0]) {
  return runCli(args, sandbox !== undefined ? { env: sandboxEnv(sandbox) } : {});
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** A run: 4 updates and 1 invalid row (a money value with three decimals is ambiguous). */
async function importRun() {
  const sandbox = await startSandbox({ port: 0, ratePerMinute: 0 });
  const dir = await tempDir('plannr-verify-');
  const ids = Object.keys(sandbox.state.cases).slice(0, 4);
  const rows = ids.map((id, i) => [id, `Renamed ${i}`, `£10${i}`, '', '']);
  rows.splice(2, 0, [ids[0]!, 'Bad value', '£1.234', '', '']);
  const file = await writeCsv(dir, 'cases.csv', [header, ...rows]);
  const report = join(dir, 'cases.import.xlsx');
  const journal = join(dir, 'cases.journal');
  const run = await cli(['import', file, '--entity', 'cases', '--report', report, '--journal', journal, '--no-revert'], sandbox).finally(() => sandbox.close());
  return { dir, file, report, journal, run, manifest: join(dir, 'cases.import.manifest.json') };
}

type Run = Awaited<ReturnType<typeof importRun>>;
let original: Run;
beforeAll(async () => {
  original = await importRun();
});

/** The run's folder copied whole (the manifest's paths are relative to it), for a test to change. */
async function copyOfRun(): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'plannr-verify-copy-'));
  await cp(original.dir, dir, { recursive: true });
  const at = (path: string) => join(dir, path.slice(original.dir.length + 1));
  return { ...original, dir, file: at(original.file), report: at(original.report), journal: at(original.journal), manifest: at(original.manifest) };
}

describe('the run manifest and verify', () => {
  it('import writes a manifest whose input hash and outcome digest follow their definitions, without the token', async () => {
    const { file, report, run, manifest: manifestPath } = original;
    expect(run.code).toBe(1); // one row invalid
    const text = await readFile(manifestPath, 'utf8');
    expect(text).not.toContain(SANDBOX_TOKEN);
    const manifest = JSON.parse(text) as Record<string, any>;
    const input = await readFile(file);
    expect(manifest.input).toMatchObject({ path: 'cases.csv', size: input.length, sha256: sha256(input) });
    expect(manifest.commandLine.slice(0, 4)).toEqual(['plannr-bulk', 'import', file, '--entity']);
    expect(manifest.entity).toBe('cases');
    expect(manifest.summary.equation).toBe('5 read = 4 sent + 1 invalid');
    expect(manifest.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    // The case's name and value (pennies) fields of PUT /api/v1/cases/{uuid}, fed by the file's 2nd and 3rd columns.
    expect(manifest.mapping).toEqual(expect.arrayContaining([
      { header: 'Case Name', field: 'name', column: 1 },
      { header: 'Case Value (£)', field: 'value', column: 2 },
    ]));

    const results = await readSheet(report, 'Results');
    const lines = column(results, 'Row').map((row, i) =>
      `${JSON.stringify({ row: Number(row), status: column(results, 'Outcome')[i], action: column(results, 'Action')[i], key: column(results, 'Key')[i] })}\n`,
    );
    expect(lines).toHaveLength(5);
    expect(manifest.outcomes).toMatchObject({ rows: 5, sha256: sha256(lines.join('')) });

    // The HTML report beside the workbook, named by the manifest, with the same equation.
    expect(manifest.htmlReport).toBe('cases.import.html');
    const page = await readFile(report.replace(/\.xlsx$/, '.html'), 'utf8');
    expect(page).toContain('5 read = 4 sent + 1 invalid');
    expect(page).not.toContain(SANDBOX_TOKEN);
  });

  it('verify accepts the files as the run left them (exit 0)', async () => {
    const { manifest } = await copyOfRun();
    const verified = await cli(['verify', manifest]);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^match: /m);
    expect(verified.stdout).not.toContain('✗');
  });

  it('verify rejects the manifest once one byte of the input changes, naming the input (exit 1)', async () => {
    const { file, manifest } = await copyOfRun();
    const bytes = await readFile(file);
    const at = bytes.indexOf('Renamed 3');
    bytes[at] = 'r'.charCodeAt(0);
    await writeFile(file, bytes);
    const verified = await cli(['verify', manifest]);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(/^✗ input: /m);
    expect(verified.stdout).toMatch(/^✓ outcomes: /m);
    expect(verified.stdout).toMatch(/^MISMATCH: input differs/m);
  });

  it("verify rejects a report whose Results were edited: the outcome digest no longer matches (exit 1)", async () => {
    const { report, manifest } = await copyOfRun();
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(report);
    const results = workbook.getWorksheet('Results')!;
    const statusColumn = (results.getRow(1).values as unknown[]).indexOf('Outcome');
    results.getRow(4).getCell(statusColumn).value = 'sent'; // the invalid row, claimed sent
    await workbook.xlsx.writeFile(report);
    const verified = await cli(['verify', manifest]);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(/^✗ outcomes: /m);
    expect(verified.stdout).toMatch(/^✗ report: /m);
    expect(verified.stdout).toMatch(/^✗ journal agrees with report: .*row 4: the report says sent/m);
  });

  it('verify cannot run without the manifest or its input, and says which file (exit 2)', async () => {
    const { dir, file, manifest } = await copyOfRun();
    const missing = await cli(['verify', join(dir, 'nope.manifest.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.manifest.json');
    const noInput = await cli(['verify', manifest, '--input', `${file}.gone`]);
    expect(noInput.code).toBe(2);
    expect(noInput.stderr).toContain(`${file}.gone`);
  });
});

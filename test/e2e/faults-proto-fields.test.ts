/**
 * Issue 9, rule 9: field-error maps are safe for any key. A 422 whose errors are keyed
 * `constructor`, `__proto__`, `toString` (Laravel), or a JSON:API pointer
 * `/data/attributes/constructor` (MPDX), fails that one row; it does not crash the run.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { column, readSheet, runCli, sandboxEnv, sandboxPerTest, writeCsv } from './helpers.js';

const setUp = sandboxPerTest('plannr-faults-proto-');

describe('a 422 with prototype-named fields', () => {
  it('Plannr (Laravel errors keyed constructor, __proto__, toString): that row fails, the others are sent, exit 1', async () => {
    const { sandbox, dir } = await setUp({ faults: { protoFieldsNext: 1 } });
    const caseIds = Object.keys(sandbox.state.cases).slice(0, 3);
    const file = await writeCsv(dir, 'cases.csv', [['Case ID', 'Case Name'], ...caseIds.map((id, i) => [id, `Proto ${i}`])]);
    const report = join(dir, 'report.xlsx');
    const run = await runCli(['import', file, '--entity', 'cases', '--journal', join(dir, 'j'), '--report', report, '--no-revert', '--rate', 'off', '--concurrency', '1', '--read-back-window', '2'], { env: sandboxEnv(sandbox) });
    expect(run.stderr).not.toMatch(/is not a function|^\s+at /m);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const results = await readSheet(report, 'Results');
    expect(column(results, 'Outcome')).toEqual(['failed', 'sent', 'sent']);
    expect(column(results, 'HTTP status')[0]).toBe('422');
    expect(sandbox.writes.map((w) => w.uuid)).toEqual(caseIds.slice(1));
    // Errors sheet: the failed row with a message (whatever key it named).
    const errors = await readSheet(report, 'Errors');
    expect(errors).toHaveLength(2);
    expect(errors[1]!.at(-1)).toMatch(/constructor|proto|toString|invalid/i);
  });

  it('MPDX (JSON:API source.pointer /data/attributes/constructor): that row fails, the run finishes', async () => {
    const { sandbox, dir } = await setUp({ faults: { protoFieldsNext: 1 } });
    const sample = (await readFile(join(import.meta.dirname, '../../samples/mpdx-phones.csv'), 'utf8')).split(/\r?\n/).slice(0, 4).join('\r\n');
    const file = join(dir, 'phones.csv');
    await writeFile(file, `${sample}\r\n`);
    const report = join(dir, 'report.xlsx');
    const run = await runCli(['import', file, '--entity', 'mpdx-phones', '--journal', join(dir, 'j'), '--report', report, '--no-revert', '--rate', 'off', '--concurrency', '1', '--read-back-window', '2'], { env: sandboxEnv(sandbox) });
    expect(run.stderr).not.toMatch(/is not a function|^\s+at /m);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/3 rows read/);
    const results = await readSheet(report, 'Results');
    expect(column(results, 'Outcome')).toHaveLength(3);
    expect(column(results, 'HTTP status').filter((s) => s === '422')).toHaveLength(1);
    expect(sandbox.injected().protoFields).toBe(1);
  });
});

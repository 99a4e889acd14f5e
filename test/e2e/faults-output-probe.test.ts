/**
 * Issue 9, row 7: the revert workbook's folder cannot be written. Rule 6: report, revert and
 * journal folders are probed for writing before any request; a failure exits 2 naming the path,
 * before a single write. (CI runs as root, and chmod does not bind root: the unwritable folders
 * here are a path whose parent is a regular file, and a folder that does not exist.)
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sandboxEnv, sandboxPerTest, writeCsv } from './helpers.js';

const setUp = sandboxPerTest('plannr-faults-probe-');

type Output = '--revert' | '--report' | '--journal';

describe('outputs that cannot be written are refused before the first write', () => {
  const cases: Array<[Output, 'a parent that is a regular file' | 'a folder that does not exist']> = [];
  for (const flag of ['--revert', '--report', '--journal'] as const) {
    cases.push([flag, 'a parent that is a regular file'], [flag, 'a folder that does not exist']);
  }

  it.each(cases)('%s under %s: exit 2 naming the path, and the write log stays empty', async (flag, kind) => {
    const { sandbox, dir } = await setUp();
    const caseIds = Object.keys(sandbox.state.cases).slice(0, 5);
    const file = await writeCsv(dir, 'cases.csv', [['Case ID', 'Case Name'], ...caseIds.map((id, i) => [id, `Probe ${i}`])]);
    const blocker = join(dir, 'not-a-folder');
    await writeFile(blocker, 'a regular file');
    const bad = kind === 'a parent that is a regular file' ? join(blocker, 'out.xlsx') : join(dir, 'missing', 'deeper', 'out.xlsx');
    const paths: Record<Output, string> = {
      '--revert': join(dir, 'revert.xlsx'),
      '--report': join(dir, 'report.xlsx'),
      '--journal': join(dir, 'cases.journal'),
      [flag]: flag === '--journal' ? bad.replace(/\.xlsx$/, '.journal') : bad,
    };
    const run = await runCli(
      ['import', file, '--entity', 'cases', '--rate', 'off', ...Object.entries(paths).flat()],
      { env: sandboxEnv(sandbox) },
    );
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(sandbox.writes, 'not one write before the refusal').toHaveLength(0);
    // Naming the path: the file, or the folder that cannot hold it (both start with this).
    expect(run.stderr).toContain(kind === 'a parent that is a regular file' ? blocker : join(dir, 'missing'));
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(sandbox.state.cases[caseIds[0]!]!.name).not.toBe('Probe 0');
  });
});

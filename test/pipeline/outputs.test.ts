import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputError } from '../../src/errors.js';
import { openXlsxWriter } from '../../src/io/write-xlsx.js';
import { createSpoolFolder, partialPathOf, probeOutputs, removeStaleSpools } from '../../src/pipeline/outputs.js';
import { readBack, sheetOf } from '../io/write-test-helpers.js';
import { deadPid } from './journal-helpers.js';

async function folder(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'outputs-'));
}

describe('outputs are checked before the first write', () => {
  it('writable folders pass, and the probe leaves nothing behind', async () => {
    const dir = await folder();
    await probeOutputs({ journal: join(dir, 'in.csv.journal'), report: join(dir, 'report.xlsx'), revert: join(dir, 'revert.xlsx'), spoolDir: dir });
    expect(await readdir(dir)).toEqual([]);
  });

  it('a folder that does not exist is named', async () => {
    const dir = await folder();
    const revert = join(dir, 'missing', 'revert.xlsx');
    const probing = probeOutputs({ journal: join(dir, 'j'), revert });
    await expect(probing).rejects.toThrow(OutputError);
    await expect(probing).rejects.toThrow(`cannot write the revert workbook ${revert}: folder ${join(dir, 'missing')} does not exist`);
  });

  it('a path through a regular file is named (ENOTDIR)', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'file'), 'x');
    const report = join(dir, 'file', 'report.xlsx');
    await expect(probeOutputs({ journal: join(dir, 'j'), report })).rejects.toThrow(
      `cannot write the report ${report}: ${join(dir, 'file')} is not a folder`,
    );
  });

  it('a target that is a folder is named', async () => {
    const dir = await folder();
    await mkdir(join(dir, 'report.xlsx'));
    await expect(probeOutputs({ journal: join(dir, 'j'), report: join(dir, 'report.xlsx') })).rejects.toThrow(
      `cannot write the report ${join(dir, 'report.xlsx')}: ${join(dir, 'report.xlsx')} is a folder`,
    );
    await mkdir(join(dir, 'run.journal'));
    await expect(probeOutputs({ journal: join(dir, 'run.journal') })).rejects.toThrow(`cannot write the journal ${join(dir, 'run.journal')}`);
  });

  it('a temp folder that is a file is named', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'tmp'), 'x');
    await expect(probeOutputs({ journal: join(dir, 'j'), spoolDir: join(dir, 'tmp') })).rejects.toThrow(
      `cannot write temporary files in ${join(dir, 'tmp')}: ${join(dir, 'tmp')} is not a folder`,
    );
  });

  it.skipIf(process.getuid?.() === 0)('a read-only folder is named with EACCES (not as root, where permission bits do not bind)', async () => {
    const dir = await folder();
    const locked = join(dir, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o555);
    try {
      await expect(probeOutputs({ journal: join(dir, 'j'), revert: join(locked, 'revert.xlsx') })).rejects.toThrow(
        `cannot write the revert workbook ${join(locked, 'revert.xlsx')}: folder ${resolve(locked)} is not writable (EACCES)`,
      );
    } finally {
      await chmod(locked, 0o755);
    }
  });
});

describe('a workbook killed half-way', () => {
  it('leaves the previous workbook as it was, and the next write beside it removes the dead partial', async () => {
    const dir = await folder();
    const target = join(dir, 'revert.xlsx');
    const previous = openXlsxWriter(target);
    await previous.addSheet('Data').addRow(['previous']);
    await previous.close();
    const previousBytes = await readFile(target);

    const writerModule = resolve('src/io/write-xlsx.ts');
    const script = `
      import { openXlsxWriter } from ${JSON.stringify(writerModule)};
      const writer = openXlsxWriter(${JSON.stringify(target)});
      const sheet = writer.addSheet('Data');
      for (let row = 0; row < 5000; row += 1) await sheet.addRow(['row ' + row, 'x'.repeat(200)]);
      process.stdout.write('writing\\n');
      setInterval(() => sheet.addRow(['more']), 1);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    expect(chunk.toString()).toContain('writing');
    child.kill('SIGKILL');
    await once(child, 'exit');

    expect((await readFile(target)).equals(previousBytes)).toBe(true);
    const partial = partialPathOf(target, child.pid);
    expect(await readdir(dir)).toContain(partial.slice(dir.length + 1));

    const next = openXlsxWriter(target);
    await next.addSheet('Data').addRow(['next']);
    await next.close();
    expect(await readdir(dir)).toEqual(['revert.xlsx']);
    expect(sheetOf(await readBack(target), 'Data').getCell(1, 1).value).toBe('next');
  });

  it('a partial file of a process still running is left alone', async () => {
    const dir = await folder();
    const target = join(dir, 'report.xlsx');
    const living = partialPathOf(target, process.ppid);
    const dead = partialPathOf(target, await deadPid());
    await writeFile(living, 'another run is writing this');
    await writeFile(dead, 'left by a killed run');
    const writer = openXlsxWriter(target);
    await writer.addSheet('Data').addRow(['x']);
    await writer.close();
    expect((await readdir(dir)).sort()).toEqual([living.slice(dir.length + 1), 'report.xlsx'].sort());
  });
});

describe('spool folders', () => {
  it('carry the pid, are removed by their run, and those of dead processes by the next run (never a live one, nor a stranger)', async () => {
    const dir = await folder();
    const dead = await deadPid();
    const names = [`plannr-bulk-meta-${dead}-aB3dE9`, `plannr-bulk-report-${process.ppid}-Zz0000`, 'plannr-bulk-report-nopid1', 'someone-else'];
    for (const name of names) await mkdir(join(dir, name));
    const spool = await createSpoolFolder('plannr-bulk-meta-', dir);
    expect(spool.path.startsWith(join(dir, `plannr-bulk-meta-${process.pid}-`))).toBe(true);
    expect((await readdir(dir)).sort()).toEqual([...names.slice(1), spool.path.slice(dir.length + 1)].sort());
    await spool.remove();
    expect(await removeStaleSpools(dir)).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(names.slice(1).sort());
  });

  it('a temp folder that cannot be written is an output error naming it', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'file'), 'x');
    await expect(createSpoolFolder('plannr-bulk-report-', join(dir, 'file'))).rejects.toThrow(OutputError);
    await expect(createSpoolFolder('plannr-bulk-report-', join(dir, 'file'))).rejects.toThrow(`cannot write temporary files in ${join(dir, 'file')}`);
  });
});

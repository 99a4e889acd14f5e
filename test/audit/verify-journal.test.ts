/**
 * verify and the journal, in process against the sandbox: a later --resume appends to the
 * journal, so the manifest of an earlier run still verifies; a journal cut short or rewritten
 * does not.
 */
import { appendFile, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyManifest } from '../../src/audit/verify.js';
import { runImport } from '../../src/pipeline/import.js';
import { apiFor, normalise, sandboxPerTest, writeCsv } from '../e2e/helpers.js';

const setUp = sandboxPerTest('plannr-verify-journal-');

async function importRun() {
  const { sandbox, dir } = await setUp();
  const ids = Object.keys(sandbox.state.cases).slice(0, 3);
  const file = await writeCsv(dir, 'cases.csv', [['Case ID', 'Case Name'], ...ids.map((id, i) => [id, `Renamed ${i}`])]);
  const report = join(dir, 'cases.import.xlsx');
  const journal = join(dir, 'cases.journal');
  const result = await runImport({ file, entity: 'cases', report, journal, revert: false, api: apiFor(sandbox), normalise });
  expect(result.exitCode).toBe(0);
  return { journal, manifest: join(dir, 'cases.import.manifest.json') };
}

const check = (result: Awaited<ReturnType<typeof verifyManifest>>, name: string) => result.checks.find((c) => c.name === name);

describe('verify and the journal', () => {
  it('still accepts a manifest after a later run appended to the journal', async () => {
    const { journal, manifest } = await importRun();
    expect((await verifyManifest(manifest)).ok).toBe(true);
    // What a --resume of the same file appends first: its own run record.
    const { input } = JSON.parse(await readFile(manifest, 'utf8')) as { input: { size: number; sha256: string } };
    await appendFile(journal, `${JSON.stringify({ t: 'run', fingerprint: `${input.size}:${input.sha256}`, entity: 'cases', file: 'cases.csv', at: new Date().toISOString() })}\n`);
    const result = await verifyManifest(manifest);
    expect(result.ok).toBe(true);
    expect(check(result, 'journal')?.detail).toMatch(/bytes were appended since/);
  });

  it('rejects a journal cut short, or with one byte changed', async () => {
    const { journal, manifest } = await importRun();
    const bytes = await readFile(journal);
    await truncate(journal, bytes.length - 1);
    expect(check(await verifyManifest(manifest), 'journal')).toMatchObject({ ok: false, detail: expect.stringMatching(/shorter than at the end of the run/) });
    const changed = Buffer.from(bytes);
    changed[changed.indexOf('"sent"') + 1] = 'S'.charCodeAt(0);
    await writeFile(journal, changed);
    const result = await verifyManifest(manifest);
    expect(result.ok).toBe(false);
    expect(check(result, 'journal')).toMatchObject({ ok: false, detail: expect.stringMatching(/differs/) });
  });
});

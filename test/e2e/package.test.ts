/**
 * The package as a user gets it: `npm pack`, installed into an empty folder, then the CLI
 * and the library used from there, never from this checkout.
 *
 * How it is installed: the tarball is unpacked as node_modules/plannr-bulk, and each of its
 * `dependencies` is linked to this project's node_modules. `npm install <tarball>` would need
 * the registry (or packuments in the npm cache, which `npm ci` does not fetch: `--offline`
 * fails with ENOTCACHED), and tests use no network. Linking only the declared dependencies
 * still catches a runtime import of a devDependency or an undeclared package: Node resolves
 * a linked package from its real path, but plannr-bulk itself only sees what is linked.
 *
 * `npm pack --ignore-scripts`: the global setup has built dist/ already, and `prepare` would
 * rebuild it while other test files run the CLI from it.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoSamples } from '../../src/cli/demo.js';
import { runCli, tempDir } from './helpers.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const tscEntry = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const run = promisify(execFile);

interface PackedFile {
  readonly path: string;
}
interface PackedManifest {
  readonly bin: Record<string, string>;
  readonly dependencies: Record<string, string>;
}

let app = ''; // the user's folder: package.json + node_modules/plannr-bulk
let installed = ''; // node_modules/plannr-bulk
let bin = ''; // the `plannr-bulk` bin's script, as package.json names it
let packed: readonly string[] = [];

async function link(name: string, into: string): Promise<void> {
  const path = join(into, 'node_modules', name);
  await mkdir(dirname(path), { recursive: true });
  await symlink(join(projectRoot, 'node_modules', name), path, 'junction');
}

beforeAll(async () => {
  const dir = await tempDir('plannr-package-');
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: projectRoot });
  const [pack] = JSON.parse(stdout) as Array<{ filename: string; files: PackedFile[] }>;
  if (pack === undefined) throw new Error(`npm pack printed no package: ${stdout}`);
  packed = pack.files.map((f) => f.path);

  app = join(dir, 'app');
  installed = join(app, 'node_modules', 'plannr-bulk');
  await mkdir(installed, { recursive: true });
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'user-app', private: true, type: 'module' }));
  await run('tar', ['-xzf', join(dir, pack.filename), '-C', installed, '--strip-components=1']);

  const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as PackedManifest;
  for (const name of Object.keys(manifest.dependencies)) await link(name, app);
  await link('@types/node', app); // what any TypeScript project on Node has
  const binPath = manifest.bin['plannr-bulk'];
  if (binPath === undefined) throw new Error('package.json has no plannr-bulk bin');
  bin = join(installed, binPath);
});

describe('the packed package', () => {
  it('holds the build, templates, samples and README, and no sources, tests or benchmarks', () => {
    const outside = packed.filter((p) => !/^(dist|templates|samples)\//.test(p) && !['package.json', 'README.md', 'LICENSE'].includes(p));
    expect(outside).toEqual([]);
    expect(packed.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
    expect(packed).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js']));
    expect(packed).toEqual(expect.arrayContaining(demoSamples.map((s) => `samples/${s.file}`)));
  });

  it('runs --help from the installed bin, naming every command', async () => {
    expect((await readFile(bin, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
    const result = await runCli(['--help'], { cwd: app, entry: bin });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const command of ['validate', 'import', 'plan', 'export', 'template', 'sandbox', 'demo']) {
      expect(result.stdout).toMatch(new RegExp(`^\\s+${command} `, 'm'));
    }
  });

  it('writes a template workbook', async () => {
    const result = await runCli(['template', 'cases', '--out', 'cases-template.xlsx'], { cwd: app, entry: bin });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // An .xlsx is an OPC package, i.e. a zip: it starts with a local file header, PK\3\4.
    const head = (await readFile(join(app, 'cases-template.xlsx'))).subarray(0, 4);
    expect([...head]).toEqual([0x50, 0x4b, 0x03, 0x04]);
  });

  it('validates a shipped sample: the rows samples/README.md lists as invalid offline, exit 1', async () => {
    // cases-legacy.xlsx: 100 data rows; rows 25, 39, 68 and 83 are invalid offline (row 54 only fails online).
    const sample = join(installed, 'samples', 'cases-legacy.xlsx');
    const result = await runCli(['validate', sample, '--entity', 'cases', '--report', 'check.xlsx'], { cwd: app, entry: bin });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('100 rows read: 96 valid, 4 invalid');
    expect(result.code).toBe(1);
    expect((await stat(join(app, 'check.xlsx'))).size).toBeGreaterThan(0);
  });

  // The guard only stops a hang (the demo imports 650 rows into a sandbox with no faults).
  it('runs the demo: the sandbox on 127.0.0.1 and a report for every sample, exit 0', { timeout: 110_000 }, async () => {
    const result = await runCli(['demo', '--out', 'demo'], { cwd: app, entry: bin, guardMs: 100_000 });
    const seen = `demo ended with code ${result.code}, signal ${result.signal}; it printed:\n${result.stdout}${result.stderr}`;
    expect(result.stderr, seen).toBe('');
    expect(result.code, seen).toBe(0);
    expect(result.stdout).toMatch(/^sandbox: http:\/\/127\.0\.0\.1:\d+$/m);
    const written = await readdir(join(app, 'demo'));
    for (const sample of demoSamples) {
      expect(written).toContain(`${sample.file.replace('.', '-')}.import.xlsx`);
    }
  });

  it('imports as an ES module: runValidate counts a sample, errors are the exported classes, deep paths are closed', async () => {
    const script = join(app, 'use-library.mjs');
    await writeFile(
      script,
      `import { fileURLToPath } from 'node:url';
import { runValidate, defaultNormaliseOptions, InputError, PlannrBulkError } from 'plannr-bulk';
const sample = fileURLToPath(new URL('./node_modules/plannr-bulk/samples/cases-legacy.xlsx', import.meta.url));
const { counts, exitCode } = await runValidate({ file: sample, entity: 'cases', normalise: defaultNormaliseOptions });
const missing = await runValidate({ file: 'no-such-file.csv', entity: 'cases', normalise: defaultNormaliseOptions }).catch((e) => e);
const deep = await import('plannr-bulk/dist/pipeline/validate.js').catch((e) => e.code);
console.log(JSON.stringify({ read: counts.read, valid: counts.valid, invalid: counts.invalid, exitCode,
  missing: missing instanceof InputError && missing instanceof PlannrBulkError, deep }));
`,
    );
    const result = await runCli([], { cwd: app, entry: script });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      read: 100,
      valid: 96,
      invalid: 4,
      exitCode: 1,
      missing: true,
      deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  });

  it('gives TypeScript its types: a typed config compiles, a wrong one does not', { timeout: 180_000 }, async () => {
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        // skipLibCheck off: our .d.ts, and every declaration they load, must compile in a user's project.
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
        files: ['use-types.ts'],
      }),
    );
    await writeFile(
      join(app, 'use-types.ts'),
      `import { runImport, runValidate, defaultNormaliseOptions, startSandbox, SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN, UsageError } from 'plannr-bulk';
import type { ApiConfig, ImportConfig, ImportResult, RowCounts, RunningSandbox, ValidateConfig } from 'plannr-bulk';

const input = { file: 'clients.csv', entity: 'contact-details', normalise: defaultNormaliseOptions } as const;
const check: ValidateConfig = { ...input, report: 'clients.validation.xlsx' };
const api: ApiConfig = { baseUrl: 'http://127.0.0.1:4010', token: 'sandbox-token', accountUuid: 'a', timeoutMs: 10_000 };
const send: ImportConfig = { ...input, api, report: 'clients.import.xlsx', revert: 'clients.revert.xlsx', onProgress: ({ counts }) => counts.sent };

export async function invalidRows(): Promise<number> {
  const counts: Readonly<RowCounts> = (await runValidate(check)).counts;
  return counts.invalid;
}
export async function sent(): Promise<number> {
  const result: ImportResult = await runImport(send);
  return result.counts.sent;
}
export const isUsage = (error: unknown): boolean => error instanceof UsageError;
export async function againstTheSandbox(): Promise<ImportResult> {
  const sandbox: RunningSandbox = await startSandbox({ port: 0 });
  try {
    return await runImport({ ...input, api: { baseUrl: sandbox.url, token: SANDBOX_TOKEN, accountUuid: SANDBOX_ACCOUNT_UUID, timeoutMs: 10_000 } });
  } finally {
    await sandbox.close();
  }
}

// @ts-expect-error a config names the file it reads (if the types were missing, this would not be an error)
export const noFile: ValidateConfig = { entity: 'cases', normalise: defaultNormaliseOptions };
`,
    );
    const result = await runCli(['-p', join(app, 'tsconfig.json')], { cwd: app, entry: tscEntry });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

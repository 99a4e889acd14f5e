/** Shared set-up for end-to-end tests: a real sandbox on loopback and small files on disk. */
import ExcelJS from 'exceljs';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { ApiConfig } from '../../src/api/config.js';
import { defaultNormaliseOptions } from '../../src/normalise/result.js';
import { SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../../src/sandbox/seed.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import type { SandboxState } from '../../src/sandbox/state.js';

export const normalise = defaultNormaliseOptions;

/** The built CLI (test/global-setup.ts builds it once per run): `node` plus these arguments. */
export const cliEntry = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export async function tempDir(prefix = 'plannr-e2e-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function apiFor(sandbox: RunningSandbox, overrides: Partial<ApiConfig> = {}): ApiConfig {
  return { baseUrl: sandbox.url, token: SANDBOX_TOKEN, accountUuid: SANDBOX_ACCOUNT_UUID, timeoutMs: 5_000, ...overrides };
}

/** Writes rows as a CSV (quoting every cell) and returns its path. */
export async function writeCsv(dir: string, name: string, rows: ReadonlyArray<readonly string[]>): Promise<string> {
  const path = join(dir, name);
  const quote = (cell: string) => `"${cell.replaceAll('"', '""')}"`;
  await writeFile(path, rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n');
  return path;
}

export function clientUuids(state: SandboxState): string[] {
  return Object.values(state.accounts).filter((a) => a.type === 'client').map((a) => a.uuid);
}

/** Reads a sheet of a workbook back as arrays of cell text (header first). */
export async function readSheet(path: string, name: string): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const sheet = workbook.getWorksheet(name);
  if (sheet === undefined) throw new Error(`no sheet ${name} in ${path}; sheets: ${workbook.worksheets.map((w) => w.name).join(', ')}`);
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    for (let c = 1; c <= sheet.columnCount; c++) cells.push(row.getCell(c).text);
    rows.push(cells);
  });
  return rows;
}

/** Column of a sheet (read with readSheet) by header. */
export function column(rows: string[][], header: string): string[] {
  const index = rows[0]?.indexOf(header) ?? -1;
  if (index < 0) throw new Error(`no column "${header}" in ${JSON.stringify(rows[0])}`);
  return rows.slice(1).map((r) => r[index] ?? '');
}

export async function writeText(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/**
 * A fresh sandbox (no rate limit) and temp folder per test, closed after each test:
 * `const setUp = sandboxPerTest('plannr-plan-')`, then `const { sandbox, dir } = await setUp()`.
 */
export function sandboxPerTest(prefix: string): (options?: SandboxOptions) => Promise<{ sandbox: RunningSandbox; dir: string }> {
  let current: RunningSandbox | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options = {}) => {
    current = await startSandbox({ port: 0, ratePerMinute: 0, ...options });
    return { sandbox: current, dir: await tempDir(prefix) };
  };
}

/** Opens an exported workbook in exceljs (as a person would in Excel), edits cells by key and header, saves it. */
export async function editWorkbook(path: string, edits: ReadonlyArray<{ key: string; header: string; value: ExcelJS.CellValue }>, keyHeader = 'UUID'): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const sheet = workbook.worksheets[0]!;
  const headers = (sheet.getRow(1).values as unknown[]).map(String);
  for (const edit of edits) {
    let found = false;
    sheet.eachRow((row) => {
      if (String(row.getCell(headers.indexOf(keyHeader)).value) === edit.key) {
        row.getCell(headers.indexOf(edit.header)).value = edit.value;
        found = true;
      }
    });
    if (!found) throw new Error(`no row ${edit.key}`);
  }
  await workbook.xlsx.writeFile(path);
}

/** What a CLI child process did. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The guard killed it: still running after `guardMs` (a hang, which the test should fail on). */
  readonly timedOut: boolean;
  /** Peak resident memory in MB with `measureMemory` (VmHWM polled from /proc; 0 without /proc or when not asked). */
  readonly peakMb: number;
}

export interface CliOptions {
  /** Variables on top of ours. The PLANNR_* variables of the shell running the tests are never passed on. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** A child still running after this long is killed (default 120 s): a hang fails the test instead of holding it. */
  readonly guardMs?: number;
  /** The script node runs instead of the built CLI (an installed copy's bin, a user's script). */
  readonly entry?: string;
  /** Poll the child's peak resident memory (Linux /proc) into `peakMb`. */
  readonly measureMemory?: boolean;
}

const CLI_OPTION_NAMES: ReadonlySet<string> = new Set(['env', 'cwd', 'guardMs', 'entry', 'measureMemory'] satisfies Array<keyof CliOptions>);

/** Our environment without PLANNR_* (a developer's real token or URL must never reach a test run), plus `extra`. */
function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('PLANNR_'));
  return { ...Object.fromEntries(inherited), ...extra };
}

/**
 * The built CLI as a child process (`node dist/cli/main.js ...args`), its output collected.
 * `done` settles when it exits; kill it through `child` (e.g. SIGKILL mid-run, then --resume).
 */
export function startCli(args: readonly string[], options: CliOptions = {}): { child: ChildProcess; done: Promise<CliRun> } {
  // TypeScript lets an env record stand for the options (both are all-optional): say so rather than run without it.
  const unknown = Object.keys(options).filter((key) => !CLI_OPTION_NAMES.has(key));
  if (unknown.length > 0) throw new Error(`startCli/runCli: unknown option(s) ${unknown.join(', ')}; environment variables go in { env: {...} }`);
  const child = spawn(process.execPath, [options.entry ?? cliEntry, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let peakKb = 0;
  let timedOut = false;
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const poll = options.measureMemory === true ? setInterval(() => (peakKb = Math.max(peakKb, peakResidentKb(child.pid))), 50) : undefined;
  const guard = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.guardMs ?? 120_000);
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      clearInterval(poll);
      resolve({ code, signal, stdout, stderr, timedOut, peakMb: Math.round(peakKb / 1024) });
    });
  });
  return { child, done };
}

/** Runs the built CLI to its end: `const { code, stdout, stderr } = await runCli(['validate', file, ...], { env: sandboxEnv(sandbox) })`. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).done;
}

/**
 * The CLI in this process (src/cli/program.ts's runCli, the function the bin calls), its output
 * captured: the same command line, messages and exit code as the bin, without a child's start-up
 * (about a second of CPU each). For what only a real process shows, use runCli: peak memory, a
 * signal, the bin's own exit code, an error that escapes runCli and would print a stack trace.
 * Environment as for runCli: ours without PLANNR_*, plus `env`. A run still going after
 * `guardMs` resolves as `timedOut` (a hang fails the test instead of holding it).
 */
export async function runCliInProcess(args: readonly string[], options: Pick<CliOptions, 'env' | 'guardMs'> = {}): Promise<CliRun> {
  const { runCli: runProgram } = await import('../../src/cli/program.js');
  let stdout = '';
  let stderr = '';
  let guard: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (guard = setTimeout(() => resolve('hung'), options.guardMs ?? 120_000)));
  const code = await Promise.race([
    runProgram(['node', 'plannr-bulk', ...args], {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      env: childEnv(options.env),
    }),
    hung,
  ]);
  clearTimeout(guard);
  return { code: code === 'hung' ? null : code, signal: null, stdout, stderr, timedOut: code === 'hung', peakMb: 0 };
}

/** A process's peak resident set so far in KB (0 once it has exited, or where there is no /proc). */
function peakResidentKb(pid: number | undefined): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** stderr without the periodic progress lines ("validating: 5000 rows, 812 rows/s, ..."), which come and go with the machine's speed. */
export function withoutProgress(stderr: string): string {
  return stderr.split('\n').filter((line) => !/\brows\/s\b/.test(line)).join('\n');
}

/** The environment that points the CLI at a sandbox. */
export function sandboxEnv(sandbox: RunningSandbox, token = SANDBOX_TOKEN): Record<string, string> {
  return { PLANNR_BASE_URL: sandbox.url, PLANNR_TOKEN: token, PLANNR_ACCOUNT_UUID: SANDBOX_ACCOUNT_UUID };
}

/** Polls until `condition` holds (or throws after `timeoutMs`, naming what was awaited). */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A report's Summary sheet as label → value text. */
export async function summaryOf(report: string): Promise<Map<string, string>> {
  return new Map((await readSheet(report, 'Summary')).map((row) => [row[0] ?? '', row[1] ?? '']));
}

/**
 * The Summary's "Rows add up" equation ("12 read = 9 sent + 0 invalid + 3 unknown ✓") as numbers,
 * checked to add up: each part by its bucket name.
 */
export function equationOf(text: string): { read: number; parts: Record<string, number> } {
  const match = /^(\d+) read = (.+?)\s*✓?$/.exec(text.trim());
  if (match === null) throw new Error(`not a row-accounting equation: "${text}"`);
  const parts: Record<string, number> = {};
  for (const part of match[2]!.split('+')) {
    const m = /^\s*(\d+) (\w+)\s*$/.exec(part);
    if (m === null) throw new Error(`not a term "<n> <bucket>": "${part}" in "${text}"`);
    parts[m[2]!] = Number(m[1]);
  }
  return { read: Number(match[1]), parts };
}

/** How many times each value occurs. */
export function tally<T>(values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** Applied creates per `name` in a sandbox write log (the ground truth for duplicates). */
export function createsByName(writes: ReadonlyArray<{ method: string; body: unknown }>): Map<string, number> {
  return tally(writes.filter((w) => w.method === 'POST').map((w) => String((w.body as { name?: unknown } | null)?.name)));
}

/** Applied updates per record uuid. */
export function updatesByUuid(writes: ReadonlyArray<{ method: string; uuid: string }>): Map<string, number> {
  return tally(writes.filter((w) => w.method === 'PUT').map((w) => w.uuid));
}

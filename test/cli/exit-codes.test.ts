/**
 * Every way the built CLI can fail to run exits 2 with one line naming what failed, and never
 * a stack trace (DESIGN.md: exit codes; README: exit codes). Runs dist/cli/main.js as a child
 * process against a sandbox on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEntry, runCli, runCliInProcess, sandboxEnv, sandboxPerTest, tempDir, writeCsv, type CliRun } from '../e2e/helpers.js';

const setUp = sandboxPerTest('plannr-cli-exit-');

/** A stack frame as Node prints it ("    at fn (file:line:col)"), or an uncaught error's source excerpt. */
const STACK = /^\s+at .+[:(]|node:internal|Unhandled 'error' event|\bThis is a bug\b/m;

function expectOneLineRefusal(run: CliRun, ...named: RegExp[]): void {
  expect(run.code).toBe(2);
  expect(run.stderr).not.toMatch(STACK);
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^plannr-bulk: /);
  for (const name of named) expect(lines[0]).toMatch(name);
}


// Flag errors happen before any command runs: the CLI in this process (runCliInProcess) says what the bin says.
describe('bad flags exit 2 with one line and no stack trace', () => {
  const cases: ReadonlyArray<{ what: string; args: string[]; named: RegExp[] }> = [
    { what: 'a missing --entity', args: ['import', 'in.csv'], named: [/--entity/, /plannr-bulk import --help/] },
    { what: 'a missing --entity on validate', args: ['validate', 'in.csv'], named: [/--entity/] },
    { what: '--date-order xyz', args: ['validate', 'in.csv', '--entity', 'cases', '--date-order', 'xyz'], named: [/--date-order/, /xyz/, /dmy, mdy, ymd/] },
    { what: 'an unknown option on the program', args: ['--bogus'], named: [/unknown option '--bogus'/] },
    { what: 'an unknown option on a command', args: ['import', 'in.csv', '--entity', 'cases', '--bogus'], named: [/unknown option '--bogus'/, /plannr-bulk import --help/] },
    { what: 'a bad --rate', args: ['import', 'in.csv', '--entity', 'cases', '--rate', 'fast'], named: [/--rate "fast"/, /500\/min/] },
    { what: 'a bad --rate on the sandbox', args: ['sandbox', '--rate', 'lots'], named: [/--rate "lots"/] },
    { what: 'an entity that does not exist', args: ['validate', 'in.csv', '--entity', 'widgets'], named: [/--entity "widgets"/, /cases/] },
    { what: 'a --timeout that is not a number', args: ['export', 'cases', '--out', 'x.xlsx', '--timeout', 'soon'], named: [/--timeout "soon"/] },
    { what: 'a --concurrency of 0', args: ['import', 'in.csv', '--entity', 'cases', '--concurrency', '0'], named: [/--concurrency "0"/] },
    { what: 'a --port past 65535', args: ['sandbox', '--port', '70000'], named: [/--port "70000"/] },
    { what: 'a bad --default-country', args: ['validate', 'in.csv', '--entity', 'cases', '--default-country', 'Britain'], named: [/--default-country "Britain"/] },
    { what: 'a time zone that does not exist', args: ['validate', 'in.csv', '--entity', 'cases', '--timezone', 'Mars/Olympus'], named: [/--timezone "Mars\/Olympus"/] },
    { what: 'export without --out', args: ['export', 'cases'], named: [/--out/] },
    { what: 'an unknown command', args: ['frobnicate'], named: [/unknown command 'frobnicate'/] },
    { what: 'a missing argument', args: ['template'], named: [/missing required argument 'entity'/] },
  ];
  for (const { what, args, named } of cases) {
    it(`${what} → exit 2`, async () => {
      expectOneLineRefusal(await runCliInProcess(args), ...named);
    });
  }

  it('the built CLI says the same in its own process: exit 2, one line, no stack trace', async () => {
    const dir = await tempDir('plannr-cli-flags-');
    expectOneLineRefusal(await runCli(['import', 'in.csv', '--date-order', 'xyz', '--entity', 'cases'], { cwd: dir }), /--date-order/, /xyz/);
  });

  it('no command at all shows the help and exits 2, without a stack trace', async () => {
    const run = await runCliInProcess([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Usage: plannr-bulk/);
    expect(run.stderr).not.toMatch(STACK);
  });

  it('--help and --version print to stdout and exit 0', async () => {
    const help = await runCliInProcess(['import', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--entity <name>/);
    expect(help.stderr).toBe('');
    const version = await runCliInProcess(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('API, transport and file system failures exit 2 naming what failed', () => {
  it('a wrong token on export: 2, naming the list that was refused and PLANNR_TOKEN', async () => {
    const { sandbox, dir } = await setUp();
    const run = await runCli(['export', 'cases', '--out', join(dir, 'cases.xlsx')], { env: sandboxEnv(sandbox, 'not-the-token') });
    expectOneLineRefusal(run, /\/api\/v1\/cases/, /PLANNR_TOKEN/);
    expect(existsSync(join(dir, 'cases.xlsx'))).toBe(false);
  });

  it("a filter the API does not allow (HTTP 400): 2, with the API's reason naming the filter", async () => {
    const { sandbox, dir } = await setUp();
    const run = await runCli(['export', 'cases', '--out', join(dir, 'cases.xlsx'), '--filter', 'colour=blue'], { env: sandboxEnv(sandbox) });
    expectOneLineRefusal(run, /HTTP 400/, /colour/);
  });

  it('an API that cannot be reached: 2, naming the connection, not "a bug"', async () => {
    const { sandbox, dir } = await setUp();
    const env = { ...sandboxEnv(sandbox), PLANNR_BASE_URL: 'http://127.0.0.1:1' };
    const run = await runCli(['export', 'cases', '--out', join(dir, 'cases.xlsx'), '--max-retries', '0'], { env });
    expectOneLineRefusal(run, /connect/);
  });

  it('a report path in a folder that does not exist: 2, naming the folder, and nothing is sent', async () => {
    const { sandbox, dir } = await setUp();
    const file = await writeCsv(dir, 'in.csv', [['Name'], ['A new case']]);
    const report = join(dir, 'no-such-folder', 'report.xlsx');
    const run = await runCli(['import', file, '--entity', 'cases', '--report', report], { env: sandboxEnv(sandbox) });
    expectOneLineRefusal(run, /no-such-folder/);
    expect(sandbox.writes).toHaveLength(0);
  });

  it('a sandbox port already in use: 2, naming the port, not an unhandled EADDRINUSE', async () => {
    const { sandbox } = await setUp();
    const port = new URL(sandbox.url).port;
    const run = await runCli(['sandbox', '--port', port]);
    expectOneLineRefusal(run, new RegExp(`--port ${port}`), /EADDRINUSE/, /in use|using it/);
  });

  it('no token: 2, saying which environment variable to set and where the sandbox token comes from, never a --token flag', async () => {
    const { sandbox, dir } = await setUp();
    const run = await runCli(['export', 'cases', '--out', join(dir, 'cases.xlsx')], { env: { ...sandboxEnv(sandbox), PLANNR_TOKEN: '' } });
    expectOneLineRefusal(run, /PLANNR_TOKEN/, /sandbox/);
    expect(run.stderr).not.toMatch(/--token/);
  });

  it('--debug adds the stack an error report needs; without it there is none', async () => {
    const { sandbox, dir } = await setUp();
    const args = ['export', 'cases', '--out', join(dir, 'cases.xlsx')];
    const plain = await runCli(args, { env: sandboxEnv(sandbox, 'not-the-token') });
    const debug = await runCli([...args, '--debug'], { env: sandboxEnv(sandbox, 'not-the-token') });
    expect(plain.stderr).not.toMatch(STACK);
    expect(debug.code).toBe(2);
    expect(debug.stderr.split('\n')[0]).toBe(plain.stderr.split('\n')[0]);
    expect(debug.stderr).toMatch(/^\s+at /m);
  });
});

describe('output to a reader that went away', () => {
  it('--help into a closed pipe (`plannr-bulk --help | head -0`) exits quietly with 0, no EPIPE trace', async () => {
    const child = spawn(process.execPath, [cliEntry, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader is gone before the CLI writes a byte: its writes meet EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
    expect(stderr).not.toMatch(/EPIPE/);
    expect(stderr).not.toMatch(STACK);
    expect(code).toBe(0);
  });
});

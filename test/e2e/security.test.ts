/**
 * Security end to end (issue 5): the token never leaves memory, every file the tool writes is
 * safe to open in a spreadsheet program, and only the configured API host is ever contacted.
 * Real CLI child processes against the sandbox (and a hostile fake API) on loopback.
 */
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INJECTION_PAYLOADS, readZipEntries } from '../../scripts/make-bad-fixtures.js';
import { echoForms } from '../../src/sandbox/faults.js';
import { createSeedState, SANDBOX_ACCOUNT_UUID } from '../../src/sandbox/seed.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { clientUuids, column, readSheet, runCli, tempDir, writeCsv, type CliRun } from './helpers.js';


/** Distinctive, so a grep cannot match anything else; the sandbox accepts it. */
const SECRET_TOKEN = 'plnr_pat_SECRET7f3a9c1e2b4d6f80aa51';
/** Unknown to the sandbox: the run that meets a 401. */
const REVOKED_TOKEN = 'plnr_pat_REVOKED0c9d8e7f6a5b4c3d21';
/** What a leak would most likely keep even if cut or re-encoded. */
const TOKEN_FRAGMENTS = [SECRET_TOKEN, REVOKED_TOKEN, 'SECRET7f3a9c1e2b', 'REVOKED0c9d8e7f6'];

/** The CLI with debug logging and debug errors on: the most a user could ever make the tool print. */
function runDebugCli(args: readonly string[], cwd: string, env: Record<string, string>): Promise<CliRun> {
  return runCli(args, { cwd, env: { PLANNR_BULK_LOG_LEVEL: 'debug', PLANNR_BULK_DEBUG: '1', ...env } });
}

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else found.push(path);
  }
  return found;
}

/** Every text a run left behind: its output, and every file in its folder (workbooks unzipped). */
async function everythingWritten(dir: string, runs: readonly CliRun[]): Promise<Array<{ where: string; text: string }>> {
  const texts = runs.flatMap((run, i) => [
    { where: `run ${i + 1} stdout`, text: run.stdout },
    { where: `run ${i + 1} stderr`, text: run.stderr },
  ]);
  for (const file of await filesUnder(dir)) {
    const bytes = await readFile(file);
    texts.push({ where: file, text: bytes.toString('utf8') }, { where: `${file} (as UTF-16)`, text: bytes.toString('utf16le') });
    if (bytes.subarray(0, 2).toString('latin1') === 'PK') {
      for (const [name, data] of await readZipEntries(file)) texts.push({ where: `${file}!${name}`, text: data.toString('utf8') });
    }
  }
  return texts;
}

function expectNoToken(texts: ReadonlyArray<{ where: string; text: string }>): void {
  for (const { where, text } of texts) {
    for (const fragment of TOKEN_FRAGMENTS) expect(text.includes(fragment), `token fragment "${fragment}" in ${where}`).toBe(false);
  }
}

/** Undoes one layer of each encoding a server (or our own XML writer) may have put on a text. */
function decodeOnce(text: string): string {
  return text
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\\//g, '/')
    .replace(/&#x([0-9a-fA-F]+);/g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name] ?? '')
    .replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * No fragment of the token in any text, in any form a server may echo it (raw, JSON \\u and \\/
 * escapes, HTML entities, URL encoding), nor after undoing those encodings (layered too).
 */
function expectNoTokenInAnyForm(texts: ReadonlyArray<{ where: string; text: string }>): void {
  for (const { where, text } of texts) {
    let decoded = text;
    for (let layer = 0; layer < 4; layer++) {
      for (const fragment of TOKEN_FRAGMENTS) {
        expect(decoded.includes(fragment), `token fragment "${fragment}" in ${where} (after ${layer} decodings)`).toBe(false);
      }
      const next = decodeOnce(decoded);
      if (next === decoded) break;
      decoded = next;
    }
    for (const fragment of TOKEN_FRAGMENTS) {
      for (const [form, encoded] of Object.entries(echoForms(fragment))) {
        expect(text.includes(encoded), `token fragment "${fragment}" ${form} in ${where}`).toBe(false);
      }
    }
  }
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/** No cell of any sheet is a formula (exceljs and raw XML); text that looks like one is a string cell. */
async function expectXlsxSafe(path: string): Promise<number> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  let formulaLike = 0;
  for (const sheet of workbook.worksheets) {
    sheet.eachRow((row) => {
      row.eachCell((cell) => {
        expect(cell.type, `${path} ${sheet.name}!${cell.address} is a formula`).not.toBe(ExcelJS.ValueType.Formula);
        if (typeof cell.value === 'string' && FORMULA_START.test(cell.value)) formulaLike++;
      });
    });
  }
  for (const [name, data] of await readZipEntries(path)) {
    if (name.startsWith('xl/worksheets/')) expect(data.toString('utf8'), `${path}!${name}`).not.toMatch(/<f[ >]/);
  }
  return formulaLike;
}

/** Every CSV cell a spreadsheet would evaluate is prefixed with ' (plain numbers are not formulas). */
async function expectCsvSafe(path: string): Promise<number> {
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
  let neutralised = 0;
  for (const [r, row] of parsed.data.entries()) {
    for (const [c, cell] of row.entries()) {
      if (FORMULA_START.test(cell)) expect(cell, `${path} row ${r + 1} column ${c + 1}`).toMatch(PLAIN_NUMBER);
      if (/^'[=+\-@\t\r]/.test(cell)) neutralised++;
    }
  }
  return neutralised;
}

let sandbox: RunningSandbox;
let dir: string;
const runs: CliRun[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  const state = createSeedState();
  state.logins.push({ token: SECRET_TOKEN, account_uuid: SANDBOX_ACCOUNT_UUID });
  // Records whose text would run as formulas if an export wrote them carelessly.
  const caseIds = Object.keys(state.cases);
  INJECTION_PAYLOADS.forEach((payload, i) => {
    state.cases[caseIds[i]!]!.name = payload;
  });
  sandbox = await startSandbox({ port: 0, ratePerMinute: 0, state });
  dir = await tempDir('plannr-security-');
  env = { PLANNR_BASE_URL: sandbox.url, PLANNR_TOKEN: SECRET_TOKEN, PLANNR_ACCOUNT_UUID: SANDBOX_ACCOUNT_UUID };
});

afterAll(async () => {
  await sandbox.close();
});

describe('the token appears in no output of a full run', { timeout: 240_000 }, () => {
  it('import (with a failing and an invalid row), a 401 import, an MPDX 401 import, an export: none holds the token', async () => {
    const caseIds = Object.keys(sandbox.state.cases);
    const clients = clientUuids(sandbox.state);
    const file = await writeCsv(dir, 'cases.csv', [
      ['Case ID', 'Case Name', 'Clients'],
      ...caseIds.slice(20, 30).map((id, i) => [id, `Secure update ${i}`, '']),
      ...INJECTION_PAYLOADS.map((payload, i) => [caseIds[40 + i]!, payload, '']),
      ['', 'Secure create', clients[0]!],
      ['not-a-uuid', 'Invalid row', ''],
      // A well-formed uuid the API does not know: the row fails with 404.
      ['0b6c7e2a-1111-4222-8333-944455556666', 'Unknown case', ''],
    ]);
    const importArgs = (name: string) => ['import', file, '--entity', 'cases', '--rate', 'off', '--report', join(dir, `${name}.xlsx`), '--journal', join(dir, `${name}.journal`), '--log', join(dir, `${name}.log`)];

    const full = await runDebugCli(importArgs('full'), dir, env);
    runs.push(full);
    expect(full.code, full.stderr).toBe(1);
    expect(full.stdout).toMatch(/21 rows read: 19 sent, 1 invalid, 1 failed/);
    expect(sandbox.writes).toHaveLength(19);

    const refused = await runDebugCli(importArgs('refused'), dir, { ...env, PLANNR_TOKEN: REVOKED_TOKEN });
    runs.push(refused);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/401/);

    const mpdxLines = (await readFile(join(import.meta.dirname, '../../samples/mpdx-phones.csv'), 'utf8')).split(/\r?\n/).slice(0, 6).join('\r\n');
    const mpdx = join(dir, 'mpdx.csv');
    await import('node:fs/promises').then((fs) => fs.writeFile(mpdx, `${mpdxLines}\r\n`));
    const mpdxRun = await runDebugCli(
      ['import', mpdx, '--entity', 'mpdx-phones', '--rate', 'off', '--report', join(dir, 'mpdx.xlsx'), '--journal', join(dir, 'mpdx.journal'), '--log', join(dir, 'mpdx.log')],
      dir,
      { ...env, PLANNR_TOKEN: REVOKED_TOKEN },
    );
    runs.push(mpdxRun);
    expect([1, 2]).toContain(mpdxRun.code);

    const exported = await runDebugCli(['export', 'cases', '--out', join(dir, 'export.xlsx'), '--rate', 'off', '--log', join(dir, 'export.log')], dir, env);
    runs.push(exported);
    expect(exported.code, exported.stderr).toBe(0);

    // The logs were written (a test that greps empty files proves nothing). The 401 run stops
    // before its first log line, so its log may be empty.
    for (const log of ['full.log', 'export.log']) expect((await stat(join(dir, log))).size, log).toBeGreaterThan(0);
    expectNoToken(await everythingWritten(dir, runs));
  });
});

describe('a server that echoes the Authorization header back in every encoding', { timeout: 240_000 }, () => {
  it('raw, JSON-escaped, HTML-entity- and URL-encoded echoes reach no output: stdout, stderr, report, journal, revert, log', async () => {
    const echoDir = await tempDir('plannr-security-echo-');
    const echoRuns: CliRun[] = [];
    const before = sandbox.injected().tokenEcho ?? 0;
    try {
      // Every write of the cases import meets the echo (a 422), as does the MPDX import's.
      sandbox.setFaults({ tokenEchoNext: 4 });
      const caseIds = Object.keys(sandbox.state.cases);
      const file = await writeCsv(echoDir, 'cases.csv', [
        ['Case ID', 'Case Name', 'Clients'],
        ...caseIds.slice(60, 63).map((id, i) => [id, `Echo update ${i}`, '']),
        ['', 'Echo create', clientUuids(sandbox.state)[0]!],
      ]);
      const cases = await runDebugCli(
        ['import', file, '--entity', 'cases', '--rate', 'off', '--concurrency', '1', '--report', join(echoDir, 'echo.xlsx'), '--journal', join(echoDir, 'echo.journal'),
          '--revert', join(echoDir, 'echo-revert.xlsx'), '--log', join(echoDir, 'echo.log')],
        echoDir,
        env,
      );
      echoRuns.push(cases);
      expect(cases.code, cases.stderr).toBe(1);
      // Not vacuous: the echoing message did reach the report (with the token taken out).
      // The API's own words (which carried the echo) are kept in their own column.
      const messages = column(await readSheet(join(echoDir, 'echo.xlsx'), 'Results'), 'API message');
      expect(messages.filter((m) => m.includes('The request was rejected'))).toHaveLength(4);

      sandbox.setFaults({ tokenEchoNext: 3 });
      const mpdxLines = (await readFile(join(import.meta.dirname, '../../samples/mpdx-phones.csv'), 'utf8')).split(/\r?\n/).slice(0, 4).join('\r\n');
      const mpdx = join(echoDir, 'mpdx.csv');
      await import('node:fs/promises').then((fs) => fs.writeFile(mpdx, `${mpdxLines}\r\n`));
      const phones = await runDebugCli(
        ['import', mpdx, '--entity', 'mpdx-phones', '--rate', 'off', '--concurrency', '1', '--report', join(echoDir, 'mpdx.xlsx'), '--journal', join(echoDir, 'mpdx.journal'),
          '--log', join(echoDir, 'mpdx.log')],
        echoDir,
        env,
      );
      echoRuns.push(phones);
      expect([1, 2]).toContain(phones.code);
    } finally {
      sandbox.setFaults({});
    }
    expect((sandbox.injected().tokenEcho ?? 0) - before, 'the server echoed the token to every write').toBeGreaterThanOrEqual(5);
    expect((await stat(join(echoDir, 'echo.log'))).size).toBeGreaterThan(0);
    expectNoTokenInAnyForm(await everythingWritten(echoDir, echoRuns));
  });
});

describe('files the tool writes are safe to open', { timeout: 240_000 }, () => {
  it('the import report keeps injection payloads as text cells, never formulas', async () => {
    const report = join(dir, 'full.xlsx');
    expect(await expectXlsxSafe(report)).toBeGreaterThan(0);
  });

  it('an export to XLSX and to CSV neutralises records whose text starts with = + - @ tab or CR', async () => {
    const xlsx = join(dir, 'export-safe.xlsx');
    const csv = join(dir, 'export-safe.csv');
    const exports = await Promise.all([xlsx, csv].map((out) => runDebugCli(['export', 'cases', '--out', out, '--rate', 'off'], dir, env)));
    for (const run of exports) expect(run.code, run.stderr).toBe(0);
    expect(await expectXlsxSafe(xlsx)).toBeGreaterThan(0);
    // Every payload (names were set to them in the sandbox) came out prefixed.
    expect(await expectCsvSafe(csv)).toBeGreaterThanOrEqual(INJECTION_PAYLOADS.length);
  });

  it('templates (xlsx and csv) hold no formulas and no unprefixed formula text', async () => {
    const outs = ['cases', 'contact-details', 'mpdx-phones'].flatMap((entity) => ['xlsx', 'csv'].map((ext) => join(dir, `${entity}-template.${ext}`)));
    const made = await Promise.all(outs.map((out) => runDebugCli(['template', basename(out).replace(/-template\..*$/, ''), '--out', out], dir, {})));
    for (const run of made) expect(run.code, run.stderr).toBe(0);
    for (const out of outs) {
      if (out.endsWith('.xlsx')) await expectXlsxSafe(out);
      else await expectCsvSafe(out);
    }
  });
});

describe('only the configured API host is contacted', { timeout: 240_000 }, () => {
  /** A server that records what it was asked, answering every list with `next` as links.next. */
  async function listServer(next: (own: string) => string | null): Promise<{ url: string; hits: IncomingMessage[]; authorised: number; close(): Promise<void> }> {
    const hits: IncomingMessage[] = [];
    let authorised = 0;
    let url = '';
    const server: Server = createServer((req, res) => {
      hits.push(req);
      if (req.headers.authorization !== undefined) authorised++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        data: [],
        links: { first: null, last: null, prev: null, next: next(url) },
        meta: { current_page: 1, last_page: 2, per_page: 500, total: 0 },
      }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      url,
      hits,
      get authorised() {
        return authorised;
      },
      close: () => new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    };
  }

  it('a list whose links.next points at another host is refused: that host never hears from us', async () => {
    const elsewhere = await listServer(() => null);
    const api = await listServer(() => `${elsewhere.url}/api/v1/cases?page=2`);
    try {
      const run = await runDebugCli(['export', 'cases', '--out', join(dir, 'hijacked.csv'), '--rate', 'off', '--max-retries', '0'], dir, {
        ...env,
        PLANNR_BASE_URL: api.url,
        PLANNR_BULK_DEBUG: '', // what a user sees
      });
      expect(api.hits.length).toBeGreaterThan(0);
      expect(elsewhere.hits).toHaveLength(0);
      expect(run.code, run.stdout).toBe(2);
      expect(run.stderr).toMatch(/only the configured API host|Refusing/i);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      // A hostile or misconfigured API is not a bug in plannr-bulk: it must not be reported as one.
      expect(run.stderr).not.toMatch(/unexpected error|This is a bug/i);
      expectNoToken([{ where: 'stderr', text: run.stderr }, { where: 'stdout', text: run.stdout }]);
    } finally {
      await api.close();
      await elsewhere.close();
    }
  });

  it('plain http to a host that is not loopback is refused before anything is sent', async () => {
    const file = await writeCsv(dir, 'plain.csv', [['Case ID', 'Case Name'], [Object.keys(sandbox.state.cases)[0]!, 'x']]);
    const run = await runDebugCli(['import', file, '--entity', 'cases', '--report', join(dir, 'plain.xlsx')], dir, { ...env, PLANNR_BASE_URL: 'http://api.plannrcrm.com' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Refusing plain http/);
    expectNoToken([{ where: 'stderr', text: run.stderr }]);
  });
});

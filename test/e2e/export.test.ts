import ExcelJS from 'exceljs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runExport } from '../../src/pipeline/export.js';
import { readExportMeta } from '../../src/pipeline/round-trip.js';
import { apiFor, normalise, sandboxPerTest } from './helpers.js';

const setUp = sandboxPerTest('plannr-export-');

/**
 * A loopback relay in front of the sandbox that counts list requests in flight at once, and can
 * answer one page itself (a failure). The Host header passes through, so the sandbox's
 * links.next point back at the relay.
 */
async function countingRelay(target: string, answer?: (url: URL) => { status: number; body: unknown } | undefined) {
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', target);
    const listing = req.method === 'GET' && url.pathname === '/api/v1/cases';
    const own = answer?.(url);
    if (own !== undefined) {
      res.writeHead(own.status, { 'content-type': 'application/json' }).end(JSON.stringify(own.body));
      return;
    }
    if (listing) maxInFlight = Math.max(maxInFlight, ++inFlight);
    const forward = httpRequest(url, { method: req.method, headers: req.headers }, (answered) => {
      res.writeHead(answered.statusCode ?? 502, answered.headers);
      answered.pipe(res);
      answered.on('end', () => {
        if (listing) inFlight -= 1;
      });
    });
    req.pipe(forward);
  });
  relays.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxInFlight: () => maxInFlight };
}
const relays: Server[] = [];
afterEach(async () => {
  await Promise.all(relays.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('export against the sandbox', () => {
  it('writes every case in its import columns, money as exact £ number cells, dates as Excel dates, and a hidden _meta', async () => {
    const { sandbox, dir } = await setUp();
    const out = join(dir, 'cases.xlsx');
    const result = await runExport({ entity: 'cases', out, api: apiFor(sandbox), normalise, perPage: 40 });
    const stored = Object.values(sandbox.state.cases);
    expect(result.records).toBe(stored.length);
    expect(result.pool.requests).toBe(Math.ceil(stored.length / 40));

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    const sheet = workbook.worksheets[0]!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(headers).toEqual(['UUID', 'Name', 'Status', 'Status Name', 'Status Position', 'Type', 'Type Name', 'Value', 'Review At', 'Completed At', 'Assigned To', 'Groups', 'Plans', 'Clients']);
    const col = (h: string) => headers.indexOf(h) + 1;
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      const record = sandbox.state.cases[String(row.getCell(1).value)]!;
      const value = row.getCell(col('Value'));
      if (record.value === null) expect(value.value).toBeNull();
      else {
        expect(Math.round(Number(value.value) * 100)).toBe(record.value);
        expect(String(value.value)).toBe((record.value / 100).toFixed(2).replace(/\.?0+$/, '') || '0');
        expect(value.numFmt).toContain('£');
      }
      expect(row.getCell(col('Status Name')).value).toBe(sandbox.state.caseStatuses[record.status_uuid]!.name);
      const review = row.getCell(col('Review At')).value;
      if (record.review_at === null) expect(review).toBeNull();
      else expect(review).toBeInstanceOf(Date);
    });
    const meta = workbook.getWorksheet('_meta')!;
    expect(meta.state).toBe('hidden');
    const info = await readExportMeta(out);
    expect(info?.info).toMatchObject({ kind: 'export', entity: 'cases', timezone: 'Europe/London' });
    expect(info?.rows.size).toBe(stored.length);
    const first = stored[0]!;
    expect(info?.rows.get(first.uuid)).toMatchObject({ updatedAt: first.updated_at, values: { value: first.value ?? null } });
  });

  it('CSV export: money as 1234.56 text, date-times ISO 8601 with offset, lists joined with "; "', async () => {
    const { sandbox, dir } = await setUp();
    const out = join(dir, 'cases.csv');
    await runExport({ entity: 'cases', out, api: apiFor(sandbox), normalise });
    const lines = (await readFile(out, 'utf8')).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines).toHaveLength(Object.keys(sandbox.state.cases).length + 1);
    const withValue = Object.values(sandbox.state.cases).find((c) => c.value !== null && c.value % 100 !== 0 && c.review_at !== null && c.participant_uuids.length > 1)!;
    const line = lines.find((l) => l.startsWith(withValue.uuid))!;
    expect(line).toContain(`,${Math.floor(withValue.value! / 100)}.${String(withValue.value! % 100).padStart(2, '0')},`);
    expect(line).toMatch(/,20\d\d-\d\d-\d\dT\d\d:00:00\+0[01]:00,/);
    expect(line).toContain(withValue.participant_uuids.join('; '));
  });

  it('a value that would run as a formula is written as a text cell, never a formula', async () => {
    const { sandbox, dir } = await setUp();
    const target = Object.values(sandbox.state.cases)[0]!;
    target.name = '=HYPERLINK("http://evil.example","click")';
    const out = join(dir, 'cases.xlsx');
    await runExport({ entity: 'cases', out, api: apiFor(sandbox), normalise, filters: { uuid: target.uuid } });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    const cell = workbook.worksheets[0]!.getRow(2).getCell(2);
    expect(cell.value).toBe(target.name);
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.numFmt).toBe('@');
    const csv = join(dir, 'cases.csv');
    await runExport({ entity: 'cases', out: csv, api: apiFor(sandbox), normalise, filters: { uuid: target.uuid } });
    expect(await readFile(csv, 'utf8')).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
  });

  it('contact details and accounts export; mpdx phones need the contact and person', async () => {
    const { sandbox, dir } = await setUp();
    const details = await runExport({ entity: 'contact-details', out: join(dir, 'cd.xlsx'), api: apiFor(sandbox), normalise, filters: { account_uuids: Object.values(sandbox.state.accounts).find((a) => a.type === 'client')!.uuid } });
    expect(details.records).toBeGreaterThanOrEqual(5);
    const accounts = await runExport({ entity: 'accounts', out: join(dir, 'a.xlsx'), api: apiFor(sandbox), normalise });
    expect(accounts.records).toBe(Object.keys(sandbox.state.accounts).length);
    await expect(runExport({ entity: 'mpdx-phones', out: join(dir, 'p.xlsx'), api: apiFor(sandbox), normalise })).rejects.toThrow(/--contact/);
    const person = Object.values(sandbox.state.mpdxPeople)[0]!;
    const phones = await runExport({ entity: 'mpdx-phones', out: join(dir, 'p.xlsx'), api: apiFor(sandbox), normalise, scope: { contact: person.contact_id, person: person.id } });
    expect(phones.records).toBe(Object.values(sandbox.state.mpdxPhones).filter((p) => p.person_id === person.id).length);
    const meta = await readExportMeta(join(dir, 'p.xlsx'));
    const phone = Object.values(sandbox.state.mpdxPhones).find((p) => p.person_id === person.id)!;
    expect(meta?.rows.get(phone.id)?.updatedAt).toBe(phone.updated_in_db_at);
  });
  it('asks for pages several at once within --concurrency, and writes the same file as one page at a time', async () => {
    const { sandbox, dir } = await setUp({ latencyMs: 30 });
    const overlapping = await countingRelay(sandbox.url);
    const together = join(dir, 'together.csv');
    const result = await runExport({ entity: 'cases', out: together, api: apiFor(sandbox, { baseUrl: overlapping.url }), pool: { ratePerMinute: 0, concurrency: 4 }, normalise, perPage: 20 });
    expect(result.records).toBe(Object.keys(sandbox.state.cases).length);
    expect(overlapping.maxInFlight()).toBeGreaterThan(1);
    expect(overlapping.maxInFlight()).toBeLessThanOrEqual(4);

    const oneAtATime = await countingRelay(sandbox.url);
    const sequential = join(dir, 'sequential.csv');
    await runExport({ entity: 'cases', out: sequential, api: apiFor(sandbox, { baseUrl: oneAtATime.url }), pool: { ratePerMinute: 0, concurrency: 1 }, normalise, perPage: 20 });
    expect(oneAtATime.maxInFlight()).toBe(1);
    const rows = (await readFile(together, 'utf8')).split('\r\n');
    expect(rows).toEqual((await readFile(sequential, 'utf8')).split('\r\n'));
    const uuids = rows.slice(1).filter((row) => row !== '').map((row) => row.split(',')[0]);
    expect(new Set(uuids).size).toBe(Object.keys(sandbox.state.cases).length);
  });

  it('a page that fails while later pages are in flight stops the export and leaves the file that was there', async () => {
    const { sandbox, dir } = await setUp({ latencyMs: 10 });
    const relay = await countingRelay(sandbox.url, (url) =>
      url.pathname === '/api/v1/cases' && url.searchParams.get('page') === '3' ? { status: 404, body: { message: 'Not found.' } } : undefined,
    );
    const out = join(dir, 'cases.xlsx');
    await writeFile(out, 'the previous export');
    await expect(
      runExport({ entity: 'cases', out, api: apiFor(sandbox, { baseUrl: relay.url }), pool: { ratePerMinute: 0, concurrency: 4 }, normalise, perPage: 20 }),
    ).rejects.toThrow(/Listing \/api\/v1\/cases, page 3/);
    expect(await readFile(out, 'utf8')).toBe('the previous export');
    expect(await readdir(dir)).toEqual(['cases.xlsx']);
  });
});

/**
 * `plannr-bulk migrate` end to end over loopback: the built CLI against the sandbox, checked
 * against the sandbox's write log. Expected counts come from the sample set's rows and the rules
 * (HMRC never uses Q as an NI prefix letter; 01632 960xxx is Ofcom's drama range, not in use;
 * a two-digit year is refused; a reference to a legacy id no file holds cannot be resolved).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/server.js';
import type { WriteLogEntry } from '../../src/sandbox/http.js';
import { readSheet, runCli, sandboxEnv, sandboxPerTest, startCli, waitFor, writeCsv } from './helpers.js';

const samples = fileURLToPath(new URL('../../samples/legacy-crm/', import.meta.url));
const setUp = sandboxPerTest('plannr-migrate-');

function migrateArgs(files: { clients: string; contactDetails: string; cases: string }, state: string, extra: readonly string[] = []): string[] {
  return ['migrate', '--clients', files.clients, '--contact-details', files.contactDetails, '--cases', files.cases, '--state', state, '--date-order', 'dmy', '--rate', 'off', ...extra];
}

const sampleFiles = { clients: join(samples, 'clients.csv'), contactDetails: join(samples, 'contact-details.csv'), cases: join(samples, 'cases.csv') };

const bodyOf = (w: WriteLogEntry) => w.body as Record<string, unknown>;
const creates = (sandbox: RunningSandbox, path: string) => sandbox.writes.filter((w) => w.method === 'POST' && w.path === path && w.status < 300);

/** The uuid the sandbox gave the client created with this email (or first name, for a client without one). */
function clientUuid(sandbox: RunningSandbox, match: (body: Record<string, unknown>) => boolean): string {
  const found = creates(sandbox, '/api/v1/client').filter((w) => match(bodyOf(w)));
  expect(found).toHaveLength(1);
  return found[0]!.uuid;
}

describe('migrate', () => {
  it('the sample set lands every valid row once, with each Client ID turned into the uuid of the client made from that legacy row', async () => {
    const { sandbox, dir } = await setUp();
    const state = join(dir, 'state');
    const run = await runCli(migrateArgs(sampleFiles, state), { env: sandboxEnv(sandbox) });
    // Some rows are invalid or held back on purpose: exit 1, not 2.
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const clients = creates(sandbox, '/api/v1/client');
    // C-1004 (NI prefix QQ) is refused; the other five are created.
    expect(clients.map((w) => bodyOf(w).last_name).sort()).toEqual(['Hughes', 'Jones', 'Jones', 'Shah', 'Ward']);
    expect(clients.every((w) => bodyOf(w).send_welcome_email === false)).toBe(true);
    const gareth = clientUuid(sandbox, (b) => b.first_name === 'Gareth');
    const sian = clientUuid(sandbox, (b) => b.first_name === 'Siân');
    const priya = clientUuid(sandbox, (b) => b.first_name === 'Priya');
    const tom = clientUuid(sandbox, (b) => b.first_name === 'Tom');
    const ellie = clientUuid(sandbox, (b) => b.first_name === 'Ellie');
    // D-3 (drama-range number) invalid, D-5 (its client invalid) and D-7 (client C-1099 in no file) held back.
    const details = creates(sandbox, '/api/v2/contact-details').map((w) => [bodyOf(w).name, bodyOf(w).account_uuids]);
    expect(details.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['Email', [ellie]], ['Landline', [tom]], ['Mobile', [gareth]], ['Mobile', [priya]], ['Work email', [gareth]],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
    // K-503 (two-digit year) invalid, K-504 (client C-2000 in no file) held back.
    const cases = creates(sandbox, '/api/v1/cases').map((w) => [bodyOf(w).name, bodyOf(w).participants]);
    expect(new Map(cases as Array<[unknown, unknown]>)).toEqual(new Map<unknown, unknown>([
      ['Joint pension review', [gareth, sian]], ['Remortgage (5 yr fix)', [priya]], ['Annual review 2026', [ellie]],
    ]));
    expect(run.stdout).toContain('contact-details.csv row 8 (legacy id D-7): Client ID C-1099: no client with this legacy id in clients.csv');
    expect(run.stdout).toContain('cases.csv row 5 (legacy id K-504): Client ID C-2000');
    // The id map workbook: every created client, by legacy id.
    const idMap = await readSheet(join(state, 'id-map.xlsx'), 'Id Map');
    expect(idMap.filter((r) => r[0] === 'clients').map((r) => [r[1], r[2]]).sort()).toEqual(
      [['C-1001', gareth], ['C-1002', sian], ['C-1003', priya], ['C-1005', tom], ['C-1006', ellie]].sort(),
    );
    // One report: each file's equation adds up, and the total.
    const summary = await readSheet(join(state, 'migration-report.xlsx'), 'Summary');
    const byFile = new Map(summary.map((r) => [r[0], r]));
    const header = summary[0]!;
    expect(byFile.get('contact-details.csv')?.[header.indexOf('Rows Add Up')]).toMatch(/^8 rows = 0 already in Plannr \+ 2 held back \+ 6 imported; 6 read = 5 sent \+ 1 invalid ✓$/);
    expect(byFile.get('Total')?.[header.indexOf('Rows Add Up')]).toBe('19 rows = 0 already in Plannr + 3 held back + 16 imported ✓');
    const held = await readSheet(join(state, 'migration-report.xlsx'), 'Held Back');
    expect(held.slice(1).map((r) => [r[0], r[1], r[2]])).toEqual([['contact-details.csv', '6', 'D-5'], ['contact-details.csv', '8', 'D-7'], ['cases.csv', '5', 'K-504']]);

    // A full rerun sends nothing: every valid legacy record is already mapped.
    const writes = sandbox.writes.length;
    const again = await runCli(migrateArgs(sampleFiles, state), { env: sandboxEnv(sandbox) });
    expect(again.code).toBe(1);
    expect(sandbox.writes.length).toBe(writes);
    expect(again.stdout).toContain('6 rows: 5 already in Plannr');
  });

  it('a dry run catches a broken reference and an invalid client before anything is sent', async () => {
    const { sandbox, dir } = await setUp();
    const run = await runCli(migrateArgs(sampleFiles, join(dir, 'state'), ['--dry-run']), { env: sandboxEnv(sandbox) });
    expect(run.code).toBe(1);
    expect(sandbox.writes).toHaveLength(0);
    expect(run.stdout).toContain('contact-details.csv row 6 (legacy id D-5): Client ID C-1004: its client (clients.csv row 5) is invalid there');
    expect(run.stdout).toContain('cases.csv row 5 (legacy id K-504): Client ID C-2000: no client with this legacy id in clients.csv');
    expect(run.stdout).toContain('dry run: nothing sent');
  });

  it('a migration killed with SIGKILL, resumed, then run again creates each legacy record once', async () => {
    const { sandbox, dir } = await setUp({ latencyMs: 25 });
    const n = 60;
    const files = {
      clients: await writeCsv(dir, 'clients.csv', [['Legacy ID', 'Forename', 'Surname', 'E-mail'], ...Array.from({ length: n }, (_, i) => [`C${i}`, `Client${i}`, 'Test', `c${i}@example.com`])]),
      contactDetails: await writeCsv(dir, 'details.csv', [['Legacy ID', 'Client ID', 'Name', 'Value'], ...Array.from({ length: n }, (_, i) => [`D${i}`, `C${i}`, `Email ${i}`, `d${i}@example.com`])]),
      cases: await writeCsv(dir, 'cases.csv', [['Legacy ID', 'Client ID', 'Case Name'], ...Array.from({ length: n }, (_, i) => [`K${i}`, `C${i}; C${(i + 1) % n}`, `Case ${i}`])]),
    };
    const state = join(dir, 'state');
    const args = migrateArgs(files, state, ['--concurrency', '4', '--read-back-window', '1']);
    // One process, so the SIGKILL reaches the command itself, not only the bin's bounded-heap parent (src/cli/heap.ts).
    const env = { ...sandboxEnv(sandbox), PLANNR_BULK_HEAP: 'off' };
    const first = startCli(args, { env });
    await waitFor('the migration half-way', () => sandbox.writes.length >= 70);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    expect(sandbox.writes.length).toBeLessThan(3 * n);

    const resumed = await runCli(args, { env });
    // The killed run's locks are taken over, and said so; nothing else goes to stderr.
    const notices = resumed.stderr.split('\n').filter((line) => line !== '');
    expect(notices.every((line) => /took over the lock of pid \d+, which is no longer running/.test(line))).toBe(true);
    expect(resumed.code).toBe(0);
    const afterResume = sandbox.writes.length;
    const rerun = await runCli(args, { env });
    expect(rerun.code).toBe(0);
    expect(sandbox.writes.length).toBe(afterResume);

    const clients = creates(sandbox, '/api/v1/client');
    expect(clients).toHaveLength(n);
    expect(new Set(clients.map((w) => bodyOf(w).email)).size).toBe(n);
    const uuidOf = new Map(clients.map((w) => [String(bodyOf(w).email), w.uuid]));
    const details = creates(sandbox, '/api/v2/contact-details');
    expect(details).toHaveLength(n);
    for (const w of details) {
      const i = Number(String(bodyOf(w).name).split(' ')[1]);
      expect(bodyOf(w).account_uuids).toEqual([uuidOf.get(`c${i}@example.com`)]);
    }
    const cases = creates(sandbox, '/api/v1/cases');
    expect(cases).toHaveLength(n);
    expect(new Set(cases.map((w) => bodyOf(w).name)).size).toBe(n);
    for (const w of cases) {
      const i = Number(String(bodyOf(w).name).split(' ')[1]);
      expect(bodyOf(w).participants).toEqual([uuidOf.get(`c${i}@example.com`), uuidOf.get(`c${(i + 1) % n}@example.com`)]);
    }
    const idMap = (await readFile(join(state, 'id-map.jsonl'), 'utf8')).trim().split('\n');
    expect(idMap).toHaveLength(3 * n);
  });
});

/**
 * Issue 9, row 1: a gateway answers 504 while the backend commits the write seconds later.
 * Rule 3: a 504 is an unknown outcome; a create is never re-sent blindly; it is read back over
 * the read-back window and ends sent (the record found) or unknown, never created twice.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientUuids, column, createsByName, equationOf, readSheet, runCli, sandboxEnv, sandboxPerTest, summaryOf, updatesByUuid, writeCsv } from './helpers.js';

const setUp = sandboxPerTest('plannr-faults-gateway-');

describe('a gateway 504 while the backend commits the write later', () => {
  it('never creates a record twice: each row ends sent (confirmed by read-back) or unknown, and a resume settles the unknown ones', async () => {
    const { sandbox, dir } = await setUp({ faults: { gatewayTimeoutNext: 5, gatewayCommitMs: 1_500 } });
    const clients = clientUuids(sandbox.state);
    const caseIds = Object.keys(sandbox.state.cases).slice(0, 2);
    const before = new Map(caseIds.map((id) => [id, sandbox.state.cases[id]!.name]));
    const creates = ['Gateway create A', 'Gateway create B', 'Gateway create C'];
    const file = await writeCsv(dir, 'cases.csv', [
      ['Case ID', 'Case Name', 'Clients'],
      ...caseIds.map((id, i) => [id, `Gateway update ${i}`, '']),
      ...creates.map((name, i) => ['', name, clients[i % clients.length]!]),
    ]);
    const report = join(dir, 'report.xlsx');
    const args = ['import', file, '--entity', 'cases', '--journal', join(dir, 'cases.journal'), '--report', report, '--revert', join(dir, 'revert.xlsx'),
      '--rate', 'off', '--concurrency', '2', '--read-back-window', '6'];

    const first = await runCli(args, { env: sandboxEnv(sandbox) });
    await sandbox.settled();
    expect(sandbox.injected().gatewayTimeout, 'every write met the gateway 504').toBe(5);
    expect(first.stderr).not.toMatch(/^\s+at /m);
    expect([0, 1], first.stderr).toContain(first.code);

    // The judge: every record exists exactly once; no POST or PUT was applied twice.
    for (const name of creates) {
      expect(Object.values(sandbox.state.cases).filter((c) => c.name === name), name).toHaveLength(1);
      expect(createsByName(sandbox.writes).get(name), `applied creates of ${name}`).toBe(1);
    }
    for (const id of caseIds) expect(updatesByUuid(sandbox.writes).get(id), `applied updates of ${id}`).toBe(1);

    const results = await readSheet(report, 'Results');
    const statuses = column(results, 'Outcome');
    for (const status of statuses) expect(['sent', 'unknown']).toContain(status);
    const keys = column(results, 'Key');
    statuses.forEach((status, i) => {
      if (status !== 'sent' || i < caseIds.length) return;
      // A create confirmed by read-back carries the uuid of its own record.
      const name = creates[i - caseIds.length]!;
      expect(sandbox.state.cases[keys[i]!]?.name, `row ${i + 2} key`).toBe(name);
    });
    const unknown = statuses.filter((s) => s === 'unknown').length;
    expect(first.code).toBe(unknown > 0 ? 1 : 0);
    const equation = equationOf((await summaryOf(report)).get('Rows add up') ?? '');
    expect(equation.read).toBe(5);
    expect(Object.values(equation.parts).reduce((a, b) => a + b, 0)).toBe(5);
    expect(equation.parts['unknown'] ?? 0).toBe(unknown);

    // Faults lifted: a resume reads the unknown rows back and never sends a second write.
    sandbox.setFaults({});
    const writesBefore = sandbox.writes.length;
    const resumed = await runCli([...args, '--resume'], { env: sandboxEnv(sandbox) });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(sandbox.writes).toHaveLength(writesBefore);
    expect(column(await readSheet(report, 'Results'), 'Outcome')).toEqual(Array(5).fill('sent'));
    for (const id of caseIds) expect(sandbox.state.cases[id]!.name).not.toBe(before.get(id));
  });
});

/**
 * Issue 9, row 3: two identical create rows; the second gets a 500 that created nothing.
 * Rule 3: a read-back never claims a record another row of this run already claimed, so the
 * second row can never be "sent" with the first row's uuid (one record lost from view).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientUuids, column, createsByName, readSheet, runCli, sandboxEnv, sandboxPerTest, writeCsv } from './helpers.js';

const setUp = sandboxPerTest('plannr-faults-twins-');

describe('two identical creates, the second answered by a 500 that created nothing', () => {
  it('never records both rows sent with one uuid; in the end two distinct records, or the second row unknown', async () => {
    // The first write passes; the second (the twin) gets the 500 and nothing is created.
    const { sandbox, dir } = await setUp({ faults: { writeErrorNext: 1, writeFaultsFrom: 2 } });
    const client = clientUuids(sandbox.state)[0]!;
    const file = await writeCsv(dir, 'cases.csv', [
      ['Case ID', 'Case Name', 'Clients'],
      ['', 'Twin case', client],
      ['', 'Twin case', client],
    ]);
    const report = join(dir, 'report.xlsx');
    const args = ['import', file, '--entity', 'cases', '--journal', join(dir, 'cases.journal'), '--report', report, '--rate', 'off',
      '--concurrency', '1', '--read-back-window', '2'];

    const check = async (): Promise<string[]> => {
      const results = await readSheet(report, 'Results');
      const statuses = column(results, 'Outcome');
      const keys = column(results, 'Key');
      const twins = Object.values(sandbox.state.cases).filter((c) => c.name === 'Twin case');
      expect(createsByName(sandbox.writes).get('Twin case'), 'applied creates = records').toBe(twins.length);
      if (statuses[0] === 'sent' && statuses[1] === 'sent') {
        expect(keys[0], 'two rows sent with one uuid').not.toBe(keys[1]);
        expect(new Set(twins.map((t) => t.uuid))).toEqual(new Set(keys));
      }
      for (const [i, status] of statuses.entries()) {
        if (status === 'sent') expect(sandbox.state.cases[keys[i]!]?.name, `row ${i + 2} key is a Twin case record`).toBe('Twin case');
      }
      return statuses;
    };

    const first = await runCli(args, { env: sandboxEnv(sandbox) });
    expect(sandbox.injected().writeError).toBe(1);
    expect(first.stderr).not.toMatch(/^\s+at /m);
    const firstStatuses = await check();
    expect(firstStatuses[0]).toBe('sent');
    expect(firstStatuses[1], 'the twin is not sent: its 500 created nothing').not.toBe('sent');
    expect(first.code).toBe(1);

    // The fault is gone: a resume sends the twin (two records) or leaves it unknown; never one record for both.
    sandbox.setFaults({});
    const resumed = await runCli([...args, '--resume'], { env: sandboxEnv(sandbox) });
    expect(resumed.stderr).not.toMatch(/^\s+at /m);
    const statuses = await check();
    const twins = Object.values(sandbox.state.cases).filter((c) => c.name === 'Twin case');
    if (statuses[1] === 'sent') {
      expect(twins).toHaveLength(2);
      expect(resumed.code).toBe(0);
    } else {
      expect(statuses[1]).toBe('unknown');
      expect(twins).toHaveLength(1);
      expect(resumed.code).toBe(1);
    }
  });
});

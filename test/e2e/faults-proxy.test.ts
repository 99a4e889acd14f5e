/**
 * Issue 9, row 4: a proxy answers 200 with an HTML page, or 204, and nothing is written.
 * Rule 4: a 2xx counts only when its body is the record; anything else is unknown (rule 3), so
 * the row is not recorded as sent, and `--resume` with the fault gone sends it: it lands once.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Faults } from '../../src/sandbox/server.js';
import { clientUuids, column, createsByName, readSheet, runCli, sandboxEnv, sandboxPerTest, updatesByUuid, writeCsv } from './helpers.js';

const setUp = sandboxPerTest('plannr-faults-proxy-');

const cases: ReadonlyArray<readonly [string, Faults]> = [
  ['200 with an HTML page', { htmlOkNext: 2 }],
  ['204 No Content', { noContentNext: 2 }],
];

describe('a proxy that answers 2xx without the record and writes nothing', () => {
  it.each(cases)('%s: the rows are not recorded as sent; a resume sends them and each lands once', async (_name, faults) => {
    const { sandbox, dir } = await setUp({ faults });
    const id = Object.keys(sandbox.state.cases)[0]!;
    const client = clientUuids(sandbox.state)[0]!;
    const file = await writeCsv(dir, 'cases.csv', [
      ['Case ID', 'Case Name', 'Clients'],
      [id, 'Proxy update', ''],
      ['', 'Proxy create', client],
    ]);
    const report = join(dir, 'report.xlsx');
    const args = ['import', file, '--entity', 'cases', '--journal', join(dir, 'cases.journal'), '--report', report, '--revert', join(dir, 'revert.xlsx'),
      '--rate', 'off', '--read-back-window', '2'];

    const first = await runCli(args, { env: sandboxEnv(sandbox) });
    expect(Object.values(sandbox.injected()).reduce((a, b) => a + b, 0)).toBe(2);
    expect(sandbox.writes).toHaveLength(0);
    expect(first.stderr).not.toMatch(/^\s+at /m);
    expect(first.code, first.stdout + first.stderr).toBe(1);
    const statuses = column(await readSheet(report, 'Results'), 'Outcome');
    expect(statuses).toHaveLength(2);
    for (const status of statuses) expect(status, 'a 2xx without the record is not "sent"').not.toBe('sent');

    sandbox.setFaults({});
    const resumed = await runCli([...args, '--resume'], { env: sandboxEnv(sandbox) });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(column(await readSheet(report, 'Results'), 'Outcome')).toEqual(['sent', 'sent']);
    expect(updatesByUuid(sandbox.writes).get(id)).toBe(1);
    expect(createsByName(sandbox.writes).get('Proxy create')).toBe(1);
    expect(sandbox.writes).toHaveLength(2);
    expect(sandbox.state.cases[id]!.name).toBe('Proxy update');
    expect(Object.values(sandbox.state.cases).filter((c) => c.name === 'Proxy create')).toHaveLength(1);
  });
});

/**
 * Rule 5: the revert workbook comes from the journal. An update whose answer was lost may have
 * landed, so its before-image is in the workbook too, marked so the person checks first.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getEntity } from '../../src/entities/index.js';
import { openJournal } from '../../src/pipeline/journal.js';
import { writeRevertFromJournal } from '../../src/pipeline/revert.js';
import { normalise } from '../e2e/helpers.js';

const cases = getEntity('cases');
const LANDED = '26477434-c4ea-4b35-993f-4ddb7c66d27c';
const UNKNOWN = '11111111-1111-4111-8111-111111111111';

describe('the revert workbook built from the journal', () => {
  it('undoes every landed update, and holds an update of unknown outcome too, with a note to check it first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plannr-revert-'));
    const path = join(dir, 'cases.journal');
    const journal = await openJournal(path, { fingerprint: 'f', entity: 'cases', file: 'cases.csv', resume: false });
    await journal.sending(2, 'PUT', { updatedAt: '2026-01-01T00:00:00+00:00', values: { uuid: LANDED, name: 'Old name' } });
    await journal.done({ row: 2, status: 'sent', action: 'update', key: LANDED, msg: 'updated' });
    await journal.sending(3, 'PUT', { updatedAt: '2026-01-01T00:00:00+00:00', values: { uuid: UNKNOWN, name: 'Was this' } });
    await journal.done({ row: 3, status: 'unknown', action: 'update', key: UNKNOWN, msg: 'the answer was lost' });
    await journal.close();

    const revert = join(dir, 'revert.csv');
    const written = await writeRevertFromJournal({ journal: path, path: revert, entity: cases, file: 'cases.csv', normalise });
    expect(written).toMatchObject({ rows: 2, unknown: 1, withoutBefore: [] });
    const text = await readFile(revert, 'utf8');
    const landedLine = text.split('\n').find((line) => line.includes(LANDED)) ?? '';
    const unknownLine = text.split('\n').find((line) => line.includes(UNKNOWN)) ?? '';
    expect(landedLine).toContain('Old name');
    expect(landedLine).not.toMatch(/unknown/);
    expect(unknownLine).toContain('Was this');
    expect(unknownLine).toMatch(/outcome of this update is unknown.*check the record in Plannr/);
  });
});

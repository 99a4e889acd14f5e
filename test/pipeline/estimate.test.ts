import { describe, expect, it } from 'vitest';
import { entities } from '../../src/entities/index.js';
import type { SourceRow } from '../../src/io/rows.js';
import type { RowCheck } from '../../src/pipeline/check/check-row.js';
import { countPlannedRows, duration, estimateLines, estimateRun, lookupRequests, readsBatchFor, type PlannedRows } from '../../src/pipeline/estimate.js';
import { RECORDS_PER_READ } from '../../src/pipeline/lookup.js';

const planned = (over: Partial<PlannedRows>): PlannedRows => ({ rows: 0, creates: 0, updates: 0, invalid: 0, done: 0, nameLookups: 0, readsBatch: true, ...over });

describe('estimateRun', () => {
  it('counts a write per create and update, a before-image read per update, and the credential check', () => {
    const estimate = estimateRun(planned({ rows: 1000, creates: 400, updates: 600 }), 500);
    expect(estimate.writes).toBe(1000);
    expect(estimate.reads).toEqual({ most: 600, least: Math.ceil(600 / RECORDS_PER_READ) });
    expect(estimate.requests).toEqual({ most: 1 + 1000 + 600, least: 1 + 1000 + 6 });
    expect(estimate.ratio).toBe(1.6);
  });

  it('takes the time at the rate limit from the most requests: 1,840 at 500/min is 3 min 41 s', () => {
    // 1,839 writes and reads + the credential check = 1,840 requests; 1,840 / 500 min = 220.8 s, rounded up.
    const estimate = estimateRun(planned({ creates: 1839 }), 500);
    expect(estimate.requests.most).toBe(1840);
    expect(duration(estimate.seconds)).toBe('3 min 41 s');
    expect(estimateLines(estimate).join('\n')).toContain('1,840 requests, about 3 min 41 s at 500/min');
  });

  it('reads one record a request where the API reads by path (no merging), and says so', () => {
    const estimate = estimateRun(planned({ updates: 250, readsBatch: false }), 500);
    expect(estimate.reads).toEqual({ most: 250, least: 250 });
    expect(estimateLines(estimate).join('\n')).toContain('one a request');
  });

  it('sends nothing for a file whose rows are all invalid or done, beyond the credential check', () => {
    const estimate = estimateRun(planned({ rows: 5, invalid: 3, done: 2 }), 0);
    expect(estimate.requests).toEqual({ most: 1, least: 1 });
    expect(estimate.ratio).toBe(0);
    expect(estimateLines(estimate)[0]).toBe('estimate: 0 to create, 0 to update, 5 to skip (3 invalid, 2 done in an earlier run)');
  });
});

describe('the estimate of applying a plan', () => {
  it('skips unchanged rows and conflicts, and counts at most one read for each', () => {
    const estimate = estimateRun(planned({ rows: 10, creates: 2, updates: 3, invalid: 1, heldBack: 4 }), 500);
    expect(estimate.writes).toBe(5);
    expect(estimate.reads.most).toBe(3 + 4);
    expect(estimateLines(estimate)[0]).toBe('estimate: 2 to create, 3 to update, 5 to skip (1 invalid, 4 unchanged or in conflict)');
  });
});

describe('lookupRequests', () => {
  it('counts one request per distinct email, the staff list once, and the case list once', () => {
    expect(lookupRequests(new Map([['account', new Set(['a@x.com', 'b@x.com'])]]))).toBe(3);
    expect(lookupRequests(new Map([['case-status', new Set(['open'])], ['case-type', new Set(['mortgage'])]]))).toBe(1);
    expect(lookupRequests(new Map())).toBe(0);
  });
});

describe('readsBatchFor', () => {
  it("merges Plannr's reads (filter[uuid]) and not MPDX's (read by path)", () => {
    expect(readsBatchFor(entities['contact-details'], { uuid: '6ff8f7f6-1eb3-3525-be4a-3932c805afed' })).toBe(true);
    expect(readsBatchFor(entities['mpdx-phones'], { contact_id: '1', person_id: '2', id: '3' })).toBe(false);
  });
});

describe('countPlannedRows', () => {
  it('counts creates, updates, invalid rows and rows an earlier run finished', async () => {
    const rows: SourceRow[] = [2, 3, 4, 5].map((row) => ({ position: { file: 'f.csv', row }, cells: [] }));
    const checks: Record<number, RowCheck> = {
      2: { key: '', action: 'create', values: {}, display: {}, problems: [] },
      3: { key: 'u1', action: 'update', values: { uuid: '6ff8f7f6-1eb3-3525-be4a-3932c805afed' }, display: {}, problems: [] },
      4: { key: '', action: 'create', values: {}, display: {}, problems: [{ columnIndex: 0, column: 'Value', message: 'required' }] },
      5: { key: '', action: 'create', values: {}, display: {}, problems: [] },
    };
    async function* source() {
      yield* rows;
    }
    const done = new Map([[5, { status: 'sent', key: 'k', at: '' } as never]]);
    const counted = await countPlannedRows(entities['contact-details'], source(), (row) => checks[row.position.row]!, { done });
    expect(counted).toMatchObject({ rows: 4, creates: 1, updates: 1, invalid: 1, done: 1, readsBatch: true });
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createOutcomeDigest, digestOutcomes, outcomeLine } from '../../src/audit/outcome-digest.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('the outcome digest (its definition in outcome-digest.ts)', () => {
  it('is the SHA-256 of one canonical JSON line per row, members row, status, action, key in that order, each ending in a line feed', async () => {
    const lines =
      '{"row":2,"status":"sent","action":"update","key":"7d4c3b0e-0000-4000-8000-000000000001"}\n' +
      '{"row":3,"status":"invalid","action":"create","key":""}\n';
    const digest = await digestOutcomes([
      { key: '7d4c3b0e-0000-4000-8000-000000000001', action: 'update', status: 'sent', row: 2 },
      { row: 3, status: 'invalid', action: 'create', key: '' },
    ]);
    expect(digest).toEqual({ hex: sha256(lines), rows: 2 });
  });

  it('of no rows is the SHA-256 of the empty string', async () => {
    expect((await digestOutcomes([])).hex).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('changes when one row changes status, and when two rows swap places', async () => {
    const rows = [
      { row: 2, status: 'sent', action: 'update', key: 'a' },
      { row: 3, status: 'sent', action: 'update', key: 'b' },
    ];
    const base = (await digestOutcomes(rows)).hex;
    expect((await digestOutcomes([rows[0]!, { ...rows[1]!, status: 'failed' }])).hex).not.toBe(base);
    expect((await digestOutcomes([rows[1]!, rows[0]!])).hex).not.toBe(base);
  });

  it('escapes a key as JSON does, so a quote or a line feed cannot forge a second line', () => {
    expect(outcomeLine({ row: 9, status: 'failed', action: 'update', key: 'x"\n{"row":10' })).toBe('{"row":9,"status":"failed","action":"update","key":"x\\"\\n{\\"row\\":10"}\n');
  });

  it('can be read while rows are still being added, without ending the running hash', () => {
    const digest = createOutcomeDigest();
    digest.add({ row: 2, status: 'sent', action: 'none', key: '' });
    const first = digest.hex();
    digest.add({ row: 3, status: 'sent', action: 'none', key: '' });
    expect(first).toBe(sha256('{"row":2,"status":"sent","action":"none","key":""}\n'));
    expect(digest.hex()).toBe(sha256('{"row":2,"status":"sent","action":"none","key":""}\n{"row":3,"status":"sent","action":"none","key":""}\n'));
    expect(digest.rows).toBe(2);
  });
});

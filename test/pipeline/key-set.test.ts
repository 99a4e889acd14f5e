import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeySet } from '../../src/pipeline/key-set.js';

describe('the duplicate-key set', () => {
  it('returns 0 for a new key and the first row for a repeat', () => {
    const keys = createKeySet();
    const a = randomUUID();
    expect(keys.firstRowOf(a, 2)).toBe(0);
    expect(keys.firstRowOf(randomUUID(), 3)).toBe(0);
    expect(keys.firstRowOf(a, 9)).toBe(2);
  });

  it('stays exact across growth: 200,000 distinct keys, every repeat found', () => {
    const keys = createKeySet(16);
    const ids = Array.from({ length: 200_000 }, () => randomUUID());
    const falseRepeats = ids.filter((id, i) => keys.firstRowOf(id, i + 2) !== 0).length;
    expect(falseRepeats).toBe(0);
    expect(keys.size).toBe(200_000);
    for (let i = 0; i < ids.length; i += 997) expect(keys.firstRowOf(ids[i]!, 1_000_000)).toBe(i + 2);
  });

  it('tells apart keys that share all but one of their four 32-bit words', () => {
    const keys = createKeySet(16);
    const base = '6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f';
    const variants = [base, '6ff8e2c5-3b1a-4c8e-9d2f-0a1b2c3d4e5f', '6ff8e2c4-3b1a-4c8f-9d2f-0a1b2c3d4e5f', '6ff8e2c4-3b1a-4c8e-9d2e-0a1b2c3d4e5f', '6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5e'];
    variants.forEach((key, i) => expect(keys.firstRowOf(key, i + 2)).toBe(0));
    variants.forEach((key, i) => expect(keys.firstRowOf(key, 99)).toBe(i + 2));
    expect(keys.size).toBe(5);
  });
});

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
});

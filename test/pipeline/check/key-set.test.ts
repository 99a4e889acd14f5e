import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeySet } from '../../../src/pipeline/check/key-set.js';

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

describe('the duplicate-key set on structured keys', () => {
  const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  const uuidOf = (w0: number, w1: number, w2: number, w3: number) => {
    const [a, b, c, d] = [hex8(w0), hex8(w1), hex8(w2), hex8(w3)];
    return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
  };
  /** Slots looked at per key while inserting them all: ~1.5 when keys spread, ~n/2 when they pile up. */
  const probesPerKey = (keys: string[]) => {
    const set = createKeySet(16);
    keys.forEach((key, i) => expect(set.firstRowOf(key, i + 2)).toBe(0));
    return set.probes / keys.length;
  };

  it('keys whose first word is the last word times the golden-ratio constant still spread', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => uuidOf(Math.imul(i, 0x9e3779b1), 0, 0, i));
    expect(probesPerKey(keys)).toBeLessThan(3);
  });

  it('sequential uuids (a counter in the last group) spread', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => uuidOf(0x01234567, 0x89ab4cde, 0x8f000000, i));
    expect(probesPerKey(keys)).toBeLessThan(3);
  });

  it('time-ordered uuids (a millisecond clock in the first 48 bits, a counter after) spread', () => {
    const start = 1_767_225_600_000;
    const keys = Array.from({ length: 20_000 }, (_, i) => {
      const ms = start + Math.floor(i / 16);
      return uuidOf(Math.floor(ms / 0x10000), ((ms & 0xffff) << 16) | 0x7000 | (i & 15), 0x80000000, 0);
    });
    expect(probesPerKey(keys)).toBeLessThan(3);
  });

  it('ids that differ only in one high bit of one word spread', () => {
    const keys = Array.from({ length: 4096 }, (_, i) => uuidOf(i << 20, (i & 1) << 31, i << 12, 0));
    expect(probesPerKey(keys)).toBeLessThan(3);
  });
});

import { describe, expect, it } from 'vitest';
import { normaliseUuid } from '../../src/normalise/uuid.js';

describe('normaliseUuid', () => {
  it.each([
    ['6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f', '6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f'],
    ['6FF8E2C4-3B1A-4C8E-9D2F-0A1B2C3D4E5F', '6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f'],
    ['{6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f}', '6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f'],
    ['  {6FF8E2C4-3B1A-4C8E-9D2F-0A1B2C3D4E5F}  ', '6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f'],
  ])('accepts %j as %s', (input, expected) => {
    expect(normaliseUuid(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    'abc',
    '6ff8e2c43b1a4c8e9d2f0a1b2c3d4e5f', // no hyphens
    '6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5', // one digit short
    '6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f0',
    'gff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f', // not hex
    '{6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f', // unmatched brace
    '6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f}',
    'urn:uuid:6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f',
  ])('rejects %j, showing the value', (input) => {
    const result = normaliseUuid(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(`"${input}"`);
  });

  it('rejects number and boolean cells', () => {
    expect(normaliseUuid(12345).ok).toBe(false);
    expect(normaliseUuid(true).ok).toBe(false);
  });
});

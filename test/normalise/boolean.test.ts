import { describe, expect, it } from 'vitest';
import { normaliseBoolean } from '../../src/normalise/boolean.js';

describe('normaliseBoolean', () => {
  it.each([
    ['yes', true], ['Yes', true], ['YES', true], ['y', true], ['Y', true], ['true', true], ['TRUE', true],
    ['t', true], ['1', true], ['  yes  ', true],
    ['no', false], ['No', false], ['n', false], ['N', false], ['false', false], ['False', false], ['f', false], ['0', false],
  ])('reads the text %j as %s', (input, expected) => {
    expect(normaliseBoolean(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    [true, true], [false, false], [1, true], [0, false],
  ])('reads the Excel cell %j as %s', (input, expected) => {
    expect(normaliseBoolean(input)).toEqual({ ok: true, value: expected });
  });

  it.each(['maybe', 'yes please', '2', 'on', 'ja', '1.0'])('rejects %j and lists what is accepted', (input) => {
    const result = normaliseBoolean(input);
    expect(result).toEqual({ ok: false, error: expect.stringContaining('yes/no') });
  });

  it.each([2, -1, 0.5])('rejects the number cell %j', (input) => {
    expect(normaliseBoolean(input).ok).toBe(false);
  });

  it('rejects a date cell', () => {
    expect(normaliseBoolean(new Date(0)).ok).toBe(false);
  });
});

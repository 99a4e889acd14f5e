import { describe, expect, it } from 'vitest';
import { normaliseList, splitList } from '../../src/normalise/list.js';
import { normaliseUuid } from '../../src/normalise/uuid.js';
import { normalisePhone } from '../../src/normalise/phone.js';
import { normaliseEmail } from '../../src/normalise/email.js';

const A = '6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f';
const B = '0b6a1f4e-2c3d-4e5f-8a9b-1c2d3e4f5a6b';

describe('splitList', () => {
  it.each([
    ['a;b;c', ['a', 'b', 'c']],
    ['a, b , c', ['a', 'b', 'c']],
    ['a|b', ['a', 'b']],
    ['a\nb\r\nc', ['a', 'b', 'c']],
    ['a;;b; ;', ['a', 'b']],
    ['  single  ', ['single']],
    [';,|', []],
    ['a; b, c|d\ne', ['a', 'b', 'c', 'd', 'e']],
  ])('splits %j into %j', (input, expected) => {
    expect(splitList(input)).toEqual(expected);
  });
});

describe('normaliseList', () => {
  it('normalises every item', () => {
    expect(normaliseList(`${A}; {${B.toUpperCase()}}`, normaliseUuid)).toEqual({ ok: true, value: [A, B] });
  });

  it('names the first bad item by its position and text', () => {
    expect(normaliseList(`${A}; abc; also-bad`, normaliseUuid)).toEqual({
      ok: false,
      error: expect.stringMatching(/^item 2 \("abc"\): not a UUID/),
    });
  });

  it('keeps an item once when it appears twice after normalising, in first-seen order', () => {
    expect(normaliseList(`${B}, ${A}, ${B.toUpperCase()}`, normaliseUuid)).toEqual({ ok: true, value: [B, A] });
  });

  it('removes duplicates of object-valued items too', () => {
    const result = normaliseList('07911 123456; +447911123456; 020 7946 0123', (v) => normalisePhone(v, { defaultCountry: 'GB' }));
    expect(result).toEqual({ ok: true, value: ['+447911123456', '+442079460123'] });
  });

  it('treats a cell of separators only as an error, not an empty list', () => {
    expect(normaliseList(' ; , ', normaliseUuid).ok).toBe(false);
  });

  it('treats a number cell as a list of one', () => {
    const result = normaliseList(7911123456, (v) => normalisePhone(v, { defaultCountry: 'GB' }));
    expect(result).toEqual({ ok: true, value: ['+447911123456'] });
  });

  it('splits email lists', () => {
    expect(normaliseList('a@Example.com; b@example.com', normaliseEmail)).toEqual({ ok: true, value: ['a@example.com', 'b@example.com'] });
  });
});

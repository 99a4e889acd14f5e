/**
 * Remembers which record keys (UUIDs) a run has seen, and on which row, to flag duplicates.
 * A Set<string> of 1,000,000 UUIDs costs ~90 MB; this packs each UUID into four 32-bit words
 * in an open-addressing table: ~24 bytes a key, exact (no hash-only false positives).
 */
export interface KeySet {
  /** Records the key at `row` and returns 0, or returns the row where it was first seen. */
  firstRowOf(uuid: string, row: number): number;
  readonly size: number;
}

const hexWord = (text: string): number => Number.parseInt(text, 16) >>> 0;

export function createKeySet(initialCapacity = 1024): KeySet {
  let capacity = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)));
  let words = new Uint32Array(capacity * 4);
  let rows = new Uint32Array(capacity); // 0 = empty slot
  let size = 0;

  const slotFor = (w0: number, w1: number, w2: number, w3: number, table: Uint32Array, rowTable: Uint32Array, mask: number) => {
    let h = Math.imul(w0 ^ (w1 << 7) ^ (w2 >>> 3) ^ Math.imul(w3, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    let slot = h & mask;
    while (rowTable[slot] !== 0) {
      const base = slot * 4;
      if (table[base] === w0 && table[base + 1] === w1 && table[base + 2] === w2 && table[base + 3] === w3) return slot;
      slot = (slot + 1) & mask;
    }
    return slot;
  };

  const grow = () => {
    const oldWords = words;
    const oldRows = rows;
    capacity *= 2;
    words = new Uint32Array(capacity * 4);
    rows = new Uint32Array(capacity);
    for (let i = 0; i < oldRows.length; i++) {
      const row = oldRows[i] ?? 0;
      if (row === 0) continue;
      const b = i * 4;
      const w0 = oldWords[b] ?? 0, w1 = oldWords[b + 1] ?? 0, w2 = oldWords[b + 2] ?? 0, w3 = oldWords[b + 3] ?? 0;
      const slot = slotFor(w0, w1, w2, w3, words, rows, capacity - 1);
      words.set([w0, w1, w2, w3], slot * 4);
      rows[slot] = row;
    }
  };

  return {
    firstRowOf(uuid, row) {
      // canonical lower-case 8-4-4-4-12 (normaliseUuid guarantees it)
      const w0 = hexWord(uuid.slice(0, 8));
      const w1 = hexWord(uuid.slice(9, 13) + uuid.slice(14, 18));
      const w2 = hexWord(uuid.slice(19, 23) + uuid.slice(24, 28));
      const w3 = hexWord(uuid.slice(28, 36));
      const slot = slotFor(w0, w1, w2, w3, words, rows, capacity - 1);
      const existing = rows[slot] ?? 0;
      if (existing !== 0) return existing;
      words[slot * 4] = w0;
      words[slot * 4 + 1] = w1;
      words[slot * 4 + 2] = w2;
      words[slot * 4 + 3] = w3;
      rows[slot] = row;
      size++;
      if (size * 2 > capacity) grow();
      return 0;
    },
    get size() {
      return size;
    },
  };
}

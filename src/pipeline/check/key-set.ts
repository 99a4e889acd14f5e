/**
 * Remembers which record keys (UUIDs) a run has seen, and on which row, to flag duplicates.
 * A Set<string> of 1,000,000 UUIDs costs ~90 MB. Here each UUID is packed into four 32-bit
 * words, stored once in insertion order (in fixed-size blocks that are never copied), and an
 * open-addressing table holds only the index of each key: ~28 bytes a key at 1,000,000 keys,
 * ~36 bytes while the table doubles, and exact (no hash-only false positives).
 */
export interface KeySet {
  /** Records the key at `row` and returns 0, or returns the row where it was first seen. */
  firstRowOf(uuid: string, row: number): number;
  readonly size: number;
  /** Slots looked at by every lookup so far: about 1.5 a lookup while keys spread evenly. */
  readonly probes: number;
}

const hexWord = (text: string): number => Number.parseInt(text, 16) >>> 0;

/** Keys per block of packed words and rows: 64 Ki keys, 1 MiB of words. */
const BLOCK_BITS = 16;
const BLOCK_KEYS = 1 << BLOCK_BITS;
const BLOCK_MASK = BLOCK_KEYS - 1;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

/** One MurmurHash3 (x86, 32-bit) block step: every bit of the word reaches every bit of the state. */
const mixWord = (h: number, word: number): number => {
  let k = Math.imul(word, 0xcc9e2d51);
  k = Math.imul(rotl(k, 15), 0x1b873593);
  return (Math.imul(rotl(h ^ k, 13), 5) + 0xe6546b64) | 0;
};

/**
 * MurmurHash3's block steps and finaliser over the four words. Real keys are often structured
 * (sequential or time-ordered UUIDs, ids minted by a legacy system): a cheaper hash that leaves
 * some bits unmixed lets whole families of such keys share one slot, and checking turns quadratic.
 */
const hashOf = (w0: number, w1: number, w2: number, w3: number): number => {
  let h = mixWord(mixWord(mixWord(mixWord(0x9747b28c, w0), w1), w2), w3) ^ 16;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
};

export function createKeySet(initialCapacity = 1024): KeySet {
  let capacity = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)));
  /** slot → 1 + the key's index; 0 is an empty slot. Load stays at most one half. */
  let slots = new Uint32Array(capacity);
  const wordBlocks: Uint32Array[] = [];
  const rowBlocks: Uint32Array[] = [];
  let size = 0;
  let probes = 0;

  const sameKey = (index: number, w0: number, w1: number, w2: number, w3: number): boolean => {
    const block = wordBlocks[index >>> BLOCK_BITS]!;
    const base = (index & BLOCK_MASK) * 4;
    return block[base] === w0 && block[base + 1] === w1 && block[base + 2] === w2 && block[base + 3] === w3;
  };

  const grow = () => {
    capacity *= 2;
    const mask = capacity - 1;
    const grown = new Uint32Array(capacity);
    for (let index = 0; index < size; index++) {
      const block = wordBlocks[index >>> BLOCK_BITS]!;
      const base = (index & BLOCK_MASK) * 4;
      let slot = hashOf(block[base]!, block[base + 1]!, block[base + 2]!, block[base + 3]!) & mask;
      while (grown[slot] !== 0) slot = (slot + 1) & mask;
      grown[slot] = index + 1;
    }
    slots = grown;
  };

  return {
    firstRowOf(uuid, row) {
      // canonical lower-case 8-4-4-4-12 (normaliseUuid guarantees it)
      const w0 = hexWord(uuid.slice(0, 8));
      const w1 = hexWord(uuid.slice(9, 13) + uuid.slice(14, 18));
      const w2 = hexWord(uuid.slice(19, 23) + uuid.slice(24, 28));
      const w3 = hexWord(uuid.slice(28, 36));
      const mask = capacity - 1;
      let slot = hashOf(w0, w1, w2, w3) & mask;
      probes++;
      for (let held = slots[slot]!; held !== 0; held = slots[slot]!) {
        probes++;
        if (sameKey(held - 1, w0, w1, w2, w3)) return rowBlocks[(held - 1) >>> BLOCK_BITS]![(held - 1) & BLOCK_MASK]!;
        slot = (slot + 1) & mask;
      }
      const index = size;
      if ((index & BLOCK_MASK) === 0) {
        wordBlocks.push(new Uint32Array(BLOCK_KEYS * 4));
        rowBlocks.push(new Uint32Array(BLOCK_KEYS));
      }
      const words = wordBlocks[index >>> BLOCK_BITS]!;
      const base = (index & BLOCK_MASK) * 4;
      words[base] = w0;
      words[base + 1] = w1;
      words[base + 2] = w2;
      words[base + 3] = w3;
      rowBlocks[index >>> BLOCK_BITS]![index & BLOCK_MASK] = row;
      slots[slot] = index + 1;
      size++;
      if (size * 2 > capacity) grow();
      return 0;
    },
    get size() {
      return size;
    },
    get probes() {
      return probes;
    },
  };
}

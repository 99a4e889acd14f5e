/**
 * The shared string table (ECMA-376 Part 1 §18.4): every text cell Excel saves points into it
 * by index. Read whole before the sheet (a cell may point anywhere in it): rich text runs
 * (`<r><t>`) concatenated, phonetic readings (`<rPh>`) left out, `_xHHHH_` escapes decoded.
 *
 * Held as a few large strings (blocks) plus two offsets per entry, not a million small strings:
 * the text costs its characters and 8 bytes an entry, and the garbage collector walks a handful
 * of objects instead of one per entry (with one string each, GC took a quarter of a read of
 * 1,000,000 distinct values, and each value cost 120 bytes of heap, the parser's chunks it was
 * sliced from included). A cell's text is cut from its block when the cell is read.
 */
import { decodeXstring } from './cells.js';
import { xmlFeed } from './xml.js';

/** Most shared-string text we hold in memory (characters). */
export const MAX_SHARED_STRING_CHARS = 256 * 1_048_576;

/**
 * Collects the text of one string item (`<si>` or a cell's `<is>`): the `<t>` elements outside
 * `<rPh>`, in order. `open`/`close`/`text` are fed from the parser's events.
 */
export interface StringItemCollector {
  open(name: string): void;
  close(name: string): void;
  text(text: string): void;
  /** The item's text so far, decoded; resets the collector. */
  take(): string;
}

export function stringItemCollector(): StringItemCollector {
  let inText = false;
  let phoneticDepth = 0;
  let parts = '';
  return {
    open(name) {
      if (name === 'rPh') phoneticDepth++;
      else if (name === 't' && phoneticDepth === 0) inText = true;
    },
    close(name) {
      if (name === 'rPh') phoneticDepth--;
      else if (name === 't') inText = false;
    },
    text(text) {
      if (inText) parts += text;
    },
    take() {
      const text = decodeXstring(parts);
      parts = '';
      inText = false;
      phoneticDepth = 0;
      return text;
    },
  };
}

export interface SharedStrings {
  readonly count: number;
  /** The entry at `index`, or undefined when the table has no such entry. */
  get(index: number): string | undefined;
}

/** Characters per block: big enough to be few, small enough to build without a large copy. */
const BLOCK_CHARS = 1_048_576;

/** A table built entry by entry (`add`), then read (`get`) once `finish` is called. */
export function sharedStringTable(): SharedStrings & { add(text: string): void; finish(): void } {
  const blocks: string[] = [];
  let pieces: string[] = [];
  let blockChars = 0;
  // Entry i lives in blocks[blockOf[i]] from start[i] to start[i + 1] (or the block's end).
  let blockOf = new Uint32Array(1024);
  let start = new Uint32Array(1024);
  let count = 0;
  const closeBlock = () => {
    // join makes one flat string: the pieces (and the parser chunks they point into) can go.
    blocks.push(pieces.join(''));
    pieces = [];
    blockChars = 0;
  };
  return {
    get count() {
      return count;
    },
    add(text) {
      if (count === blockOf.length) {
        const grownBlocks = new Uint32Array(count * 2);
        grownBlocks.set(blockOf);
        blockOf = grownBlocks;
        const grownStarts = new Uint32Array(count * 2);
        grownStarts.set(start);
        start = grownStarts;
      }
      if (blockChars > 0 && blockChars + text.length > BLOCK_CHARS) closeBlock();
      blockOf[count] = blocks.length;
      start[count] = blockChars;
      pieces.push(text);
      blockChars += text.length;
      count++;
    },
    finish() {
      if (pieces.length > 0) closeBlock();
    },
    get(index) {
      if (!(index >= 0 && index < count) || !Number.isInteger(index)) return undefined;
      const block = blockOf[index] as number;
      const text = blocks[block] as string;
      const end = index + 1 < count && blockOf[index + 1] === block ? (start[index + 1] as number) : text.length;
      return text.slice(start[index], end);
    },
  };
}

/** The table, in order; `texts` is the part's XML as text. */
export async function readSharedStrings(texts: AsyncIterable<string>): Promise<SharedStrings> {
  const strings = sharedStringTable();
  const item = stringItemCollector();
  let inItem = false;
  const feed = xmlFeed(
    {
      open(name) {
        if (name === 'si') inItem = true;
        else if (inItem) item.open(name);
      },
      close(name) {
        if (name === 'si') {
          strings.add(item.take());
          inItem = false;
        } else if (inItem) item.close(name);
      },
      text(text) {
        if (inItem) item.text(text);
      },
    },
    { maxTotalChars: MAX_SHARED_STRING_CHARS },
  );
  for await (const text of texts) feed.write(text);
  feed.end();
  strings.finish();
  return strings;
}

/**
 * The shared string table (ECMA-376 Part 1 §18.4): every text cell Excel saves points into it
 * by index. Read whole before the sheet (a cell may point anywhere in it), as one JS string per
 * entry: rich text runs (`<r><t>`) concatenated, phonetic readings (`<rPh>`) left out, `_xHHHH_`
 * escapes decoded. Memory: the strings themselves plus one array slot each.
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

/** The table, in order; `texts` is the part's XML as text. */
export async function readSharedStrings(texts: AsyncIterable<string>): Promise<string[]> {
  const strings: string[] = [];
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
          strings.push(item.take());
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
  return strings;
}

/**
 * XML for the workbook's parts: saxes (a streaming, non-validating SAX parser; exceljs uses it
 * too) without namespaces, which decodes entities and character references exactly once.
 * A DOCTYPE is refused outright: Excel never writes one, and it is how XXE and "billion laughs"
 * attacks start. Text runs are measured before the parser buffers them, so one huge cell
 * (a zip bomb) is refused instead of exhausting memory.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';

/**
 * The XML itself is unsafe, too large or malformed; the caller names the file, sheet and row.
 * The message reads after the part's name: "xl/sharedStrings.xml declares a DOCTYPE…".
 */
export class XmlRefused extends Error {
  constructor(
    message: string,
    /** Malformed (damage) rather than refused on purpose (unsafe or too large). */
    readonly damaged = false,
  ) {
    super(message);
  }
}

const DOCTYPE_MARK_LENGTH = '<!DOCTYPE'.length;

function doctypeRefused(): XmlRefused {
  return new XmlRefused('declares a DOCTYPE, which Excel never writes and which can make a reader fetch files or expand entities without end: refused as unsafe');
}

/** Longest stretch of XML text without a tag we accept: a cell over this is damage or a bomb. */
export const MAX_XML_TEXT_RUN = 8 * 1_048_576;

export interface XmlHandlers {
  /** `name` is the local name (any `x:` prefix removed); attributes keep their names as written. */
  readonly open: (name: string, attributes: Readonly<Record<string, string>>, selfClosing: boolean) => void;
  readonly close: (name: string) => void;
  readonly text?: (text: string) => void;
}

/** `x:row` → `row`. Producers that prefix SpreadsheetML (some .NET libraries) are read alike. */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** An attribute by local name: `r:id` or `id` (prefixes vary by producer). */
export function attributeByLocalName(attributes: Readonly<Record<string, string>>, local: string): string | undefined {
  for (const key in attributes) if (localName(key) === local) return attributes[key];
  return undefined;
}

export interface XmlFeed {
  /** Parses the next piece of text; handlers run synchronously inside. */
  write(text: string): void;
  end(): void;
}

export function xmlFeed(handlers: XmlHandlers, options: { readonly maxTextRun?: number; readonly maxTotalChars?: number } = {}): XmlFeed {
  const parser = new SaxesParser({ xmlns: false, position: false });
  const maxRun = options.maxTextRun ?? MAX_XML_TEXT_RUN;
  const maxTotal = options.maxTotalChars ?? Number.POSITIVE_INFINITY;
  parser.on('doctype', () => {
    throw doctypeRefused();
  });
  parser.on('error', (error) => {
    throw new XmlRefused(`is not well-formed XML (${error.message})`, true);
  });
  // Before the first element (the prolog, where a DOCTYPE has to be), the text is scanned for
  // "<!DOCTYPE" before saxes sees it: saxes buffers the whole DOCTYPE (entity declarations
  // of hundreds of MB) before its doctype event fires. A comment in the prolog that mentions
  // <!DOCTYPE is refused too; Excel writes neither.
  let inProlog = true;
  let prologTail = '';
  parser.on('opentag', (tag: SaxesTagPlain) => handlers.open(localName(tag.name), tag.attributes, tag.isSelfClosing));
  parser.on('closetag', (tag: SaxesTagPlain) => handlers.close(localName(tag.name)));
  const onText = handlers.text;
  if (onText !== undefined) {
    parser.on('text', onText);
    // A CDATA section is text written without escapes (XML 1.0 §2.7): the same text to the handler.
    parser.on('cdata', onText);
  }

  let run = 0;
  let total = 0;
  return {
    write(text) {
      if (inProlog) {
        const scanned = prologTail + text;
        // The first element starts at "<" followed by a name (not "<?", "<!" or "</").
        const root = scanned.search(/<[^?!/\s]/);
        const prolog = root < 0 ? scanned : scanned.slice(0, root);
        if (/<!doctype/i.test(prolog)) throw doctypeRefused();
        if (root < 0) prologTail = scanned.slice(-(DOCTYPE_MARK_LENGTH - 1));
        else inProlog = false;
      }
      total += text.length;
      if (total > maxTotal) throw new XmlRefused(`inflates to more than ${Math.round(maxTotal / 1_048_576)} MB of text uncompressed: the workbook is too large to read safely`);
      const lastTag = text.lastIndexOf('<');
      run = lastTag < 0 ? run + text.length : text.length - lastTag;
      if (run > maxRun) {
        throw new XmlRefused(`has a cell that inflates to more than ${maxRun / 1_048_576} MB of text uncompressed (the limit is 1 MB): the workbook is damaged or built to exhaust memory`);
      }
      parser.write(text);
    },
    end() {
      parser.close();
    },
  };
}

/** Byte chunks → text, with a streaming decoder so a character split between chunks stays whole. */
export async function* decodeXmlBytes(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  for await (const chunk of chunks) {
    // Excel writes UTF-8; the XML spec allows UTF-16 with a byte-order mark, so honour one.
    decoder ??= new TextDecoder(chunk[0] === 0xff && chunk[1] === 0xfe ? 'utf-16le' : chunk[0] === 0xfe && chunk[1] === 0xff ? 'utf-16be' : 'utf-8');
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder?.decode() ?? '';
  if (rest !== '') yield rest;
}

/** Parses a whole small part. */
export function parseXml(bytes: Buffer, handlers: XmlHandlers): void {
  const feed = xmlFeed(handlers);
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  feed.write(new TextDecoder(utf16 ? (bytes[0] === 0xff ? 'utf-16le' : 'utf-16be') : 'utf-8').decode(bytes));
  feed.end();
}

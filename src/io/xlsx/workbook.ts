/**
 * The workbook's index, found the way Open Packaging Conventions say (ECMA-376 Part 2): the
 * package relationships (_rels/.rels) name the main part (usually xl/workbook.xml, not always),
 * its own relationships name each sheet's part (targets relative to the workbook's folder, or
 * absolute from the package root), [Content_Types].xml says what the main part is.
 */
import { posix } from 'node:path';
import { attributeByLocalName, parseXml } from './xml.js';

export interface Relationship {
  readonly id: string;
  readonly type: string;
  /** Package part name, without a leading slash. */
  readonly part: string;
}

/** Where a part's relationships live: xl/workbook.xml → xl/_rels/workbook.xml.rels. */
export function relationshipsPartOf(part: string): string {
  const dir = posix.dirname(part);
  return `${dir === '.' ? '' : `${dir}/`}_rels/${posix.basename(part)}.rels`;
}

/** A relationship target as a part name: absolute from the root, or relative to the source's folder. */
export function resolveTarget(sourcePart: string, target: string): string {
  const path = target.split('#')[0] ?? '';
  const decoded = (() => {
    try {
      return decodeURIComponent(path);
    } catch {
      return path;
    }
  })();
  if (decoded.startsWith('/')) return posix.normalize(decoded).replace(/^\/+/, '');
  const base = posix.dirname(sourcePart);
  return posix.normalize(posix.join(base === '.' ? '' : base, decoded)).replace(/^\/+/, '');
}

export function parseRelationships(xml: Buffer, sourcePart: string): Relationship[] {
  const relationships: Relationship[] = [];
  parseXml(xml, {
    open(name, attributes) {
      if (name !== 'Relationship') return;
      const id = attributes.Id;
      const target = attributes.Target;
      if (id === undefined || target === undefined || attributes.TargetMode === 'External') return;
      relationships.push({ id, type: attributes.Type ?? '', part: resolveTarget(sourcePart, target) });
    },
    close() {},
  });
  return relationships;
}

/** Relationship types end the same way in transitional and strict OOXML: compare the last segment. */
export const relationshipKind = (type: string): string => type.slice(type.lastIndexOf('/') + 1);

/** Content type of each part named in [Content_Types].xml overrides (part name lower-cased, no slash). */
export function parseContentTypes(xml: Buffer): Map<string, string> {
  const types = new Map<string, string>();
  parseXml(xml, {
    open(name, attributes) {
      if (name === 'Override' && attributes.PartName !== undefined && attributes.ContentType !== undefined) {
        types.set(attributes.PartName.replace(/^\/+/, '').toLowerCase(), attributes.ContentType);
      }
    },
    close() {},
  });
  return types;
}

export interface SheetIndexEntry {
  readonly name: string;
  /** Package part name of the sheet, e.g. xl/worksheets/sheet1.xml; '' when its relationship is missing. */
  readonly part: string;
  /** state="hidden" or "veryHidden". */
  readonly hidden: boolean;
  /** A worksheet (rows and cells), not a chartsheet, dialogsheet or macro sheet. */
  readonly isWorksheet: boolean;
}

export interface WorkbookIndex {
  readonly sheets: readonly SheetIndexEntry[];
  readonly date1904: boolean;
  /** Package part names of the shared strings and styles, when the workbook has them. */
  readonly sharedStringsPart?: string | undefined;
  readonly stylesPart?: string | undefined;
}

/** Sheet names in workbook order, their parts, the date system, and the parts every sheet uses. */
export function parseWorkbookIndex(workbookXml: Buffer, relationships: readonly Relationship[]): WorkbookIndex {
  const byId = new Map(relationships.map((r) => [r.id, r]));
  const sheets: SheetIndexEntry[] = [];
  let date1904 = false;
  parseXml(workbookXml, {
    open(name, attributes) {
      if (name === 'sheet') {
        const relationship = byId.get(attributeByLocalName(attributes, 'id') ?? '');
        const state = attributes.state ?? 'visible';
        sheets.push({
          name: attributes.name ?? '',
          part: relationship?.part ?? '',
          hidden: state !== 'visible',
          isWorksheet: relationship !== undefined && relationshipKind(relationship.type) === 'worksheet',
        });
      } else if (name === 'workbookPr') {
        // xsd:boolean: "1" or "true" (exceljs's own reader only understands "1").
        date1904 = ['1', 'true'].includes((attributes.date1904 ?? '').trim().toLowerCase());
      }
    },
    close() {},
  });
  const partOfKind = (kind: string) => relationships.find((r) => relationshipKind(r.type) === kind)?.part;
  return { sheets, date1904, sharedStringsPart: partOfKind('sharedStrings'), stylesPart: partOfKind('styles') };
}

export type SheetChoice =
  | { readonly ok: true; readonly sheet: SheetIndexEntry }
  | { readonly ok: false; readonly problem: string; readonly sheet?: string };

/**
 * `--sheet NAME` (case-insensitive, any visibility: the user asked for it), else the first
 * visible worksheet. Hidden sheets (often lookup lists) and chartsheets are never the default.
 */
export function chooseSheet(index: WorkbookIndex, wanted: string | undefined): SheetChoice {
  const names = index.sheets.map((s) => `"${s.name}"`).join(', ');
  if (wanted !== undefined) {
    const key = wanted.trim().toLowerCase();
    const found = index.sheets.find((s) => s.name.toLowerCase() === key);
    if (found === undefined) return { ok: false, problem: `there is no sheet "${wanted}"; the sheets are ${names}` };
    if (!found.isWorksheet) return { ok: false, sheet: found.name, problem: 'is a chart (or dialog or macro) sheet, not a worksheet of rows' };
    return { ok: true, sheet: found };
  }
  const first = index.sheets.find((s) => s.isWorksheet && !s.hidden);
  if (first !== undefined) return { ok: true, sheet: first };
  if (index.sheets.some((s) => s.isWorksheet)) {
    const hidden = index.sheets.filter((s) => s.isWorksheet).map((s) => `"${s.name}"`).join(', ');
    return { ok: false, problem: `every worksheet is hidden (${hidden}): name the one to read with --sheet, or unhide it in Excel` };
  }
  return { ok: false, problem: 'the workbook has no worksheets' };
}

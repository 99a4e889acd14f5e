/**
 * Formula (CSV) injection defence for text we write.
 *
 * A spreadsheet program opening a CSV turns a cell that starts with `=`, `+`, `-` or `@`
 * (or with a tab or carriage return, which some programs skip before looking) into a formula,
 * which can run commands or leak data. In CSV the only defence is a leading `'`, exactly as
 * `Papa.unparse(..., { escapeFormulae: true })` does.
 *
 * Tradeoff: legitimate values start with `+` (phone `+447911123456`) or `-` (`-12.50`). In CSV
 * they are neutralised all the same (`'+447911123456`): a CSV cell has no type, so we cannot
 * tell a phone number from `+cmd|...`. Money and other numbers passed to the CSV writer as JS
 * numbers are not text and are written exactly. In XLSX none of this applies: strings are
 * written as string cells, which never evaluate, so they are kept exact with no prefix.
 */

/** Leading characters that make a CSV cell a formula in Excel, LibreOffice or Google Sheets. */
const FORMULA_TRIGGER = /^[=+\-@\t\r]/;

/** Whether a text cell would be read as a formula (or formula-like) by a spreadsheet program. */
export function looksLikeFormula(text: string): boolean {
  return FORMULA_TRIGGER.test(text);
}

/** CSV use: prefix `'` to text a spreadsheet would evaluate; other text is returned as is. */
export function neutraliseFormula(text: string): string {
  return FORMULA_TRIGGER.test(text) ? `'${text}` : text;
}

const NEUTRALISED = /^'[=+\-@\t\r]/;

/**
 * Reading a CSV back: undo `neutraliseFormula`, so a value we (or Excel, or Papa) wrote as
 * `'+447911123456` reads as `+447911123456` and an export re-imports unchanged. Only a `'`
 * directly before a formula trigger is dropped; any other leading apostrophe is data.
 */
export function restoreNeutralisedText(cells: string[]): void {
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell !== undefined && cell.charCodeAt(0) === 39 && NEUTRALISED.test(cell)) cells[i] = cell.slice(1);
  }
}

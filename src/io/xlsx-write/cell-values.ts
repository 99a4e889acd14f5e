/** What a sheet row holds and how it is styled: shared by the renderers (rows.ts) and packed rows (row-records.ts). */

export type XlsxCellValue = string | number | boolean | Date | null;

/** Column indexes are 0-based, aligned with the `values` array. */
export interface RowStyle {
  /** Light yellow fill: "this value was changed". */
  readonly highlight?: readonly number[] | undefined;
  /** Light red fill: "this value has a problem". */
  readonly problem?: readonly number[] | undefined;
  /** Column index → note (comment) text. */
  readonly notes?: Readonly<Record<number, string>> | undefined;
  /** true: the whole row; an array: those columns only. */
  readonly bold?: boolean | readonly number[] | undefined;
  /** Font size for the whole row (titles). */
  readonly size?: number | undefined;
  /** Number cells shown as pounds and pence (£1,234.56); the value stays the exact number. */
  readonly money?: readonly number[] | undefined;
}

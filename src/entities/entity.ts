/**
 * The one definition of a resource: its columns drive templates, mapping, validation,
 * reports and export, and it holds every fact the pipeline needs about the API behind it
 * (list endpoint, identity, concurrency, how a record reads back). Adding a resource =
 * adding one file in this folder and listing it in ./index.ts (docs/architecture.md).
 * Entities never do I/O.
 */
import type { Normalised, NormaliseOptions, RawValue } from '../normalise/result.js';
import type { EntityName } from './index.js';

export type { EntityName } from './index.js';

/** A written spreadsheet cell: what the writers take (a Date holds wall-clock time in its UTC fields). */
export type Cell = string | number | boolean | Date | null;

/** The file a cell goes into: XLSX keeps numbers and dates typed, CSV holds text only. */
export type CellFormat = 'xlsx' | 'csv';

/** How a cell's text becomes a typed value, plus what a person needs to know to fill it in. */
export interface FieldType<T = unknown> {
  /** Short name shown in templates and errors: 'phone', 'money', 'date-time', 'uuid list'... */
  readonly name: string;
  /** One line for the template note: the accepted format(s). */
  readonly format: string;
  /** The closed list of accepted values, if any (templates add a dropdown). */
  readonly choices?: readonly string[] | undefined;
  normalise(value: RawValue, options: NormaliseOptions): Normalised<T>;
  /**
   * How a normalised value is shown to a person: the report's "→ sent" columns and messages
   * (money as "£1,234.56", yes/no as 'yes'/'no', lists joined with "; ").
   */
  display(value: T): string | number | boolean;
  /**
   * The value as a cell of an exported file (export, plan, revert) that `normalise` reads back
   * as the same value. Takes `unknown` because records come from the API, which may hold a
   * value of another shape: such a value is written as text. Absent: the value as text
   * (lists joined with "; ", nested records by their uuid). Never called with null/undefined/''.
   */
  toCell?(value: unknown, format: CellFormat, options: NormaliseOptions): Cell;
  /** How a workbook shows this type's number cells: 'money' = pounds with a £ and 2 decimals. */
  readonly numberFormat?: 'money';
}

export type Requirement =
  /** must have a value on every row */
  | 'always'
  /** must have a value when the row creates a record (no key) */
  | 'on-create'
  | 'optional';

export interface Column {
  /** Key in the API request body (or a pseudo field such as 'uuid'). */
  readonly field: string;
  /** Header our templates and exports write. */
  readonly header: string;
  /** Other names for this column in legacy CRM exports; matched case-, space- and punctuation-insensitively. */
  readonly aliases: readonly string[];
  readonly help: string;
  readonly example: string;
  readonly required: Requirement;
  readonly type: FieldType;
  /** Whether `(clear)` may be used to empty this field. */
  readonly clearable: boolean;
  /** This column's value is the row's phone region (ISO country), used to read its phone numbers. */
  readonly isPhoneRegion?: boolean;
  /** Read and checked, but never sent on an update (e.g. a case's participants: PUT has no such field). */
  readonly createOnly?: boolean;
}

/** One HTTP request a valid row turns into. */
export interface PlannedRequest {
  readonly method: 'PUT' | 'POST';
  /** Path below the base URL, e.g. '/api/v1/cases/6ff8…'. */
  readonly path: string;
  readonly body: unknown;
  /** 'application/json' or 'application/vnd.api+json' (MPDX). */
  readonly contentType: string;
}

/** A row after mapping and normalisation: field → value (null = clear); blank fields absent. */
export type NormalisedRow = Readonly<Record<string, unknown>>;

export interface Entity {
  readonly name: EntityName;
  /** Singular, for messages: 'case', 'contact detail'. */
  readonly noun: string;
  /** The field a person knows a record by in the CRM (a case's name), for messages. Absent: the request is named instead. */
  readonly labelField?: string;
  /** The API the resource lives on (Plannr, or MPDX behind the same base URL). */
  readonly system: ApiSystem;
  readonly columns: readonly Column[];
  /** Field holding the record's key (an update when present, a create when blank). */
  readonly keyField: string;
  /**
   * Fields of the record's URL that the record itself does not carry (MPDX phones:
   * contact_id, person_id). They come from the row (or an export's scope), go with every
   * read of the record, and, with keyField, name the record: never a change. Absent: none.
   */
  readonly pathFields?: readonly string[];
  /**
   * Optimistic concurrency carried in the request body (MPDX): `readAtField` holds when the
   * record was read and goes with every update; `overwriteField` forces the write. Both are
   * bookkeeping, never an edit. Absent: the API has no such check (export's _meta compares
   * `updatedAtOf` and the values instead).
   */
  readonly concurrency?: { readonly readAtField: string; readonly overwriteField: string };
  /**
   * Fields a request sends that the record never shows (a client create's
   * send_welcome_email): a read-back never looks for them in the record, or a create whose
   * answer was lost could never be found, and --resume would send it again. Absent: none.
   */
  readonly writeOnly?: readonly string[];
  /**
   * What a row makes the API do besides storing the record (a client create's welcome email),
   * counted in validate's and plan's Summary so a person sees it before anything is sent.
   * Absent: none.
   */
  readonly sideEffects?: readonly SideEffect[];
  /** When the record last changed, as the API says (`updated_at`, MPDX `updated_in_db_at`); '' when it does not say. */
  updatedAtOf(record: unknown): string;
  /** How export lists every record. */
  readonly list: ListSource;
  /** Whether rows without a key create records. */
  readonly canCreate: boolean;
  /** Whether this entity can be imported at all (accounts: export only). */
  readonly canImport: boolean;
  /**
   * Cross-field checks after each field normalised, e.g. "a create needs a participant".
   * Returns problems as field → message.
   */
  check(row: NormalisedRow): ReadonlyArray<{ field: string; message: string }>;
  /** The request a valid row becomes. */
  toRequest(row: NormalisedRow): PlannedRequest;
  /**
   * An API record (as GET or a list returns it) as field → value in request-body terms: what
   * export writes, and what resume compares with a body to see whether a write already landed.
   */
  fromRecord(record: unknown): Record<string, unknown>;
  /** The GET that returns the current record behind a row's key; its response holds it at `pick`. */
  recordRequest(row: NormalisedRow): LookupRequest;
  /**
   * A list request that would find the record a create body made, for when a create's
   * response was lost (crash, dropped connection): resume looks before sending again.
   */
  findCreated?(body: Readonly<Record<string, unknown>>): LookupRequest | undefined;
  /**
   * Read-only columns an export adds for people (e.g. a case's "Status Name" after "Status").
   * Never read on import: mapping ignores these headers without an "unknown column" warning.
   */
  readonly exportOnly?: readonly ExportOnlyColumn[];
}

/** Something a valid row makes the API do besides storing it, e.g. email the client. */
export interface SideEffect {
  /** Its Summary line: 'Welcome emails Plannr would send'. */
  readonly label: string;
  /** Whether a valid row (its normalised values) causes it. */
  causedBy(row: NormalisedRow): boolean;
}

/** The API a resource lives on. */
export interface ApiSystem {
  /** For messages: 'Plannr', 'MPDX'. */
  readonly name: string;
  /**
   * A cheap read that shows whether the token is accepted, run once before a run sends
   * anything: a refusal stops the run (exit 2) instead of failing every row. Absent: the
   * system has no such read we can rely on, so a refused token shows as each row's own 401.
   */
  readonly credentialCheck?: { readonly path: string; readonly query?: Readonly<Record<string, string>> };
}

/** The list endpoint export pages through. */
export interface ListSource {
  /**
   * Values the list's path needs that no filter can give (MPDX lists phone numbers per
   * person): export refuses to start without every one. Absent: none.
   */
  readonly scope?: readonly ScopeParameter[];
  /** The list path below the base URL, given every scope value (already checked present). */
  path(scope: Readonly<Record<string, string>>): string;
  /** Related data the columns need, as the `include` query parameter ('' for none). */
  readonly include: string;
  /** The request's content type when it is not 'application/json' (JSON:API). */
  readonly contentType?: string;
}

/** One value an export's list path needs, given as `ExportConfig.scope[name]` (CLI: `--name ID`). */
export interface ScopeParameter {
  readonly name: string;
  /** The row field it fills on every exported row (records listed under it do not carry it). */
  readonly field: string;
  /** What it is, for help and errors: 'the MPDX contact'. */
  readonly help: string;
}

/** A display column written by export next to the field it explains. */
export interface ExportOnlyColumn {
  readonly header: string;
  /** The field whose column this one follows. */
  readonly after: string;
  /** Its text for an API record. */
  value(record: unknown): string | undefined;
}

export interface LookupRequest {
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Where the record(s) sit in the response: 'data' (a list), 'data.0', 'data.attributes' or '' (the body). */
  readonly pick: string;
}

/** The explicit token that clears a field; a blank cell always means "leave unchanged". */
export const CLEAR_TOKEN = '(clear)';

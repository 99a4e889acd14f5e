/**
 * The one definition of a resource: its columns drive templates, mapping, validation,
 * reports and export. Adding a resource = adding one file in this folder and listing it
 * in ./index.ts. Entities never do I/O.
 */
import type { Normalised, NormaliseOptions, RawValue } from '../normalise/result.js';

/** How a cell's text becomes a typed value, plus what a person needs to know to fill it in. */
export interface FieldType<T = unknown> {
  /** Short name shown in templates and errors: 'phone', 'money', 'date-time', 'uuid list'... */
  readonly name: string;
  /** One line for the template note: the accepted format(s). */
  readonly format: string;
  /** The closed list of accepted values, if any (templates add a dropdown). */
  readonly choices?: readonly string[] | undefined;
  normalise(value: RawValue, options: NormaliseOptions): Normalised<T>;
  /** How a normalised value is shown in a spreadsheet (report, export). */
  display(value: T): string | number | boolean;
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
  readonly columns: readonly Column[];
  /** Field holding the record's key (an update when present, a create when blank). */
  readonly keyField: string;
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

export type EntityName = 'contact-details' | 'cases' | 'mpdx-phones' | 'accounts';

/** The explicit token that clears a field; a blank cell always means "leave unchanged". */
export const CLEAR_TOKEN = '(clear)';

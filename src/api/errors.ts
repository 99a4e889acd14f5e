/**
 * Errors of the HTTP layer, and how an API error response becomes a message a person can act on.
 * Nothing here ever sees the token, so nothing here can leak it.
 */

import { PlannrBulkError } from '../errors.js';

/**
 * timeout    no answer within timeoutMs (the request may well have been processed)
 * connect    no connection was made (refused, DNS, TLS): the request certainly never left
 * reset      the connection broke; mayHaveReachedServer says whether the whole request had been
 *            written to the socket before it broke
 * aborted    the caller's signal stopped it
 * too-large  the response body passed MAX_RESPONSE_BYTES (the request was answered, so it arrived)
 */
export type TransportErrorKind = 'timeout' | 'connect' | 'reset' | 'aborted' | 'too-large';

/** API field key → messages. A null-prototype object: any key (`constructor`, `__proto__`) is just a key. */
export type FieldErrors = Readonly<Record<string, readonly string[]>>;

/** The request got no HTTP response at all. Escaping a run (an export's page, the credential check), the run could not go on: exit 2. */
export class TransportError extends PlannrBulkError {
  override name = 'TransportError';
  readonly exitCode = 2 as const;
  constructor(
    readonly kind: TransportErrorKind,
    /** false only when the request certainly never reached the server (safe to re-send a create). */
    readonly mayHaveReachedServer: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A non-2xx answer where the caller needed success (e.g. a page of an export): the run could not go on, exit 2. */
export class ApiResponseError extends PlannrBulkError {
  override name = 'ApiResponseError';
  readonly exitCode = 2 as const;
  constructor(
    readonly status: number,
    message: string,
    readonly fieldErrors: FieldErrors,
  ) {
    super(message);
  }
}

export interface ApiErrorDescription {
  /**
   * In the adviser's words: what happened and, where there is one, what to do. It quotes the API
   * only where our words cannot stand in for its reason (a 400, a 409 or 422 with no field named).
   */
  message: string;
  /** The API's own text (a long or HTML body summarised), '' when the body said nothing: for a column of its own. */
  apiText: string;
  /** API field key (as the API names it, e.g. `account_uuids.0`) → messages; safe for any key. */
  fieldErrors: FieldErrors;
}

const MAX_TEXT_CHARS = 200;

/** What a status means to an adviser, for when the body says nothing useful. */
export function statusMessage(status: number): string {
  switch (status) {
    case 400:
      return 'Plannr could not accept the request (HTTP 400)';
    case 401:
      return 'Unauthenticated: check PLANNR_TOKEN';
    case 403:
      return 'Forbidden: this token may not act on this account or record (check PLANNR_ACCOUNT_UUID)';
    case 404:
      return 'Plannr has nothing at this address (HTTP 404): the record may have been deleted or belong to another account, or PLANNR_BASE_URL is wrong';
    case 409:
      return 'Plannr refused the change: the record is in a state that does not allow it (HTTP 409)';
    case 422:
      return 'Plannr refused the values (HTTP 422)';
    case 429:
      return "Too many requests: Plannr's rate limit was reached (HTTP 429)";
  }
  if (status >= 500) return `Plannr had a server error (HTTP ${status}): try again later`;
  if (status >= 300 && status < 400) return `Unexpected redirect (HTTP ${status}): not followed`;
  return `Plannr refused the request (HTTP ${status})`;
}

/**
 * Laravel's 404 names the model it looked for: "No query results for model [App\Models\ContactDetail] …"
 * → "contact detail". undefined when the text is not that.
 */
export function missingModelNoun(text: string): string | undefined {
  const model = /No query results for model \[(?:[\w\\]*\\)?(\w+)\]/.exec(text)?.[1];
  if (model === undefined) return undefined;
  return model.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonBlankString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** `/data/attributes/number` → `number`; `/data/relationships/person/data` → `person`; `/data` → ''. */
export function fieldFromPointer(pointer: string): string {
  const parts = pointer.split('/').filter((part) => part !== '');
  const section = parts.findIndex((part) => part === 'attributes' || part === 'relationships');
  if (section >= 0 && parts[section + 1] !== undefined) return parts[section + 1] as string;
  const last = parts[parts.length - 1];
  return last === undefined || last === 'data' ? '' : last;
}

/** Laravel: `errors: {field: ["msg", ...]}` or the bare-string variant `errors: {field: "msg"}`. */
function laravelFieldErrors(errors: Record<string, unknown>): FieldErrors {
  const fieldErrors = new Map<string, string[]>();
  for (const [field, value] of Object.entries(errors)) {
    const messages = (Array.isArray(value) ? value : [value])
      .map((item) => (typeof item === 'string' ? item : item === null || item === undefined ? '' : JSON.stringify(item)))
      .filter((message) => message.trim() !== '');
    if (messages.length > 0) fieldErrors.set(field, messages);
  }
  return fieldErrorsOf(fieldErrors);
}

/**
 * The API names the keys, so a key may be `constructor`, `toString` or `__proto__`: collect in a
 * Map and hand back a null-prototype object, where such keys are plain own properties.
 */
function fieldErrorsOf(map: ReadonlyMap<string, readonly string[]>): FieldErrors {
  const result = Object.create(null) as Record<string, readonly string[]>;
  for (const [field, messages] of map) {
    Object.defineProperty(result, field, { value: messages, enumerable: true, writable: false, configurable: false });
  }
  return result;
}

const NO_FIELD_ERRORS: FieldErrors = fieldErrorsOf(new Map());

/** JSON:API: `errors: [{title, detail, source: {pointer | parameter}}]`. */
function jsonApiErrors(errors: unknown[]): { general: string[]; fieldErrors: FieldErrors } {
  const general: string[] = [];
  const fieldErrors = new Map<string, string[]>();
  for (const error of errors) {
    if (!isRecord(error)) continue;
    const text = nonBlankString(error['detail']) ?? nonBlankString(error['title']) ?? nonBlankString(error['code']);
    if (text === undefined) continue;
    const source = isRecord(error['source']) ? error['source'] : {};
    const pointer = nonBlankString(source['pointer']);
    const field = pointer !== undefined ? fieldFromPointer(pointer) : (nonBlankString(source['parameter']) ?? '');
    if (field === '') general.push(text);
    else {
      const messages = fieldErrors.get(field);
      if (messages === undefined) fieldErrors.set(field, [text]);
      else messages.push(text);
    }
  }
  return { general, fieldErrors: fieldErrorsOf(fieldErrors) };
}

/** First 200 characters of a text or HTML body, tags and runs of whitespace removed. */
export function summariseText(text: string): string {
  const plain = /<[a-z!/][\s\S]*>/i.test(text)
    ? text
        .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
        .replace(/<[^>]*>/g, ' ')
        .replace(/&nbsp;/g, ' ')
        .replace(/&amp;/g, '&')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
    : text;
  const collapsed = plain.replace(/\s+/g, ' ').trim();
  return collapsed.length > MAX_TEXT_CHARS ? `${collapsed.slice(0, MAX_TEXT_CHARS)}…` : collapsed;
}

function firstFieldMessage(fieldErrors: FieldErrors): string | undefined {
  for (const messages of Object.values(fieldErrors)) if (messages[0] !== undefined) return messages[0];
  return undefined;
}

/** The body's own explanation, if it has one. */
function describeBody(body: unknown): { message: string; fieldErrors: FieldErrors; said: boolean } {
  if (typeof body === 'string') {
    const text = summariseText(body);
    return { message: text, fieldErrors: NO_FIELD_ERRORS, said: text !== '' };
  }
  if (!isRecord(body)) return { message: '', fieldErrors: NO_FIELD_ERRORS, said: false };

  const errors = body['errors'];
  if (Array.isArray(errors)) {
    const { general, fieldErrors } = jsonApiErrors(errors);
    const fieldLines = Object.entries(fieldErrors).map(([field, messages]) => `${field}: ${messages.join('; ')}`);
    const message = [...general, ...fieldLines].join('; ');
    return { message, fieldErrors, said: message !== '' };
  }
  const fieldErrors = isRecord(errors) ? laravelFieldErrors(errors) : NO_FIELD_ERRORS;
  const message =
    nonBlankString(body['message']) ??
    firstFieldMessage(fieldErrors) ??
    nonBlankString(body['error_description']) ??
    nonBlankString(body['error']) ??
    nonBlankString(body['detail']) ??
    nonBlankString(body['title']) ??
    '';
  return { message, fieldErrors, said: message !== '' };
}

function countMessages(fieldErrors: FieldErrors): number {
  return Object.values(fieldErrors).reduce((sum, messages) => sum + messages.length, 0);
}

/** The messages of a JSON:API error list that name no field ('' for any other body). */
function generalJsonApiText(body: unknown): string {
  const errors = isRecord(body) ? body['errors'] : undefined;
  return Array.isArray(errors) ? jsonApiErrors(errors).general.join('; ') : '';
}

/** "Our words: the API's reason", or our words alone when the API gave none. */
function withReason(words: string, reason: string): string {
  return reason === '' ? words : `${words}: ${reason}`;
}

/** An answer whose body said `apiText`, in the adviser's words. */
function adviserMessage(status: number, apiText: string, body: unknown, fieldErrors: FieldErrors): string {
  const refusedValues = countMessages(fieldErrors);
  switch (status) {
    case 400:
      return withReason('Plannr could not accept the request (HTTP 400)', apiText);
    case 401:
      // "Unauthenticated." alone does not tell a person what to fix; a body that says more is kept.
      if (apiText === '') return statusMessage(status);
      return /token/i.test(apiText) ? apiText : `${apiText} (check PLANNR_TOKEN)`;
    case 403:
      return apiText === '' ? statusMessage(status) : apiText;
    case 404: {
      const noun = missingModelNoun(apiText);
      return noun !== undefined ? `No ${noun} with this key exists in Plannr (it may have been deleted)` : statusMessage(status);
    }
    case 409:
    case 422: {
      // Field errors are told once, each by its column (the report's notes and Error lines): the
      // row's line counts them, with any reason that names no field.
      const refused = status === 409 ? 'the change' : 'the values';
      if (refusedValues === 0) return apiText === '' ? statusMessage(status) : withReason(`Plannr refused ${refused} (HTTP ${status})`, apiText);
      return withReason(`Plannr refused ${refusedValues === 1 ? 'a value' : `${refusedValues} values`} (HTTP ${status})`, generalJsonApiText(body));
    }
  }
  if (status >= 500 || status === 429 || (status >= 300 && status < 400)) return statusMessage(status);
  return withReason(statusMessage(status), apiText);
}

/**
 * An error response in the adviser's words, the API's own text kept apart (`apiText`), and
 * per-field messages. Understands Laravel's 422 shape (array or bare-string messages), its 404
 * naming the model, JSON:API error lists (MPDX), and text/HTML bodies. Our words quote the API
 * only where they cannot stand in for its reason: a 400, or a 409/422 naming no field.
 */
export function describeApiError(status: number, body: unknown): ApiErrorDescription {
  const described = describeBody(body);
  const apiText = described.said ? described.message : '';
  return { message: adviserMessage(status, apiText, body, described.fieldErrors), apiText, fieldErrors: described.fieldErrors };
}

/**
 * Errors of the HTTP layer, and how an API error response becomes a message a person can act on.
 * Nothing here ever sees the token, so nothing here can leak it.
 */

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

/** The request got no HTTP response at all. */
export class TransportError extends Error {
  override name = 'TransportError';
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

/** A non-2xx answer where the caller needed success (e.g. a page of an export). */
export class ApiResponseError extends Error {
  override name = 'ApiResponseError';
  constructor(
    readonly status: number,
    message: string,
    readonly fieldErrors: FieldErrors,
  ) {
    super(message);
  }
}

export interface ApiErrorDescription {
  message: string;
  /** API field key (as the API names it, e.g. `account_uuids.0`) → messages; safe for any key. */
  fieldErrors: FieldErrors;
}

const MAX_TEXT_CHARS = 200;

/** Why a status might happen, for when the body says nothing useful. */
export function statusMessage(status: number): string {
  switch (status) {
    case 400:
      return 'Bad request (HTTP 400)';
    case 401:
      return 'Unauthenticated: check PLANNR_TOKEN';
    case 403:
      return 'Forbidden: this token may not act on this account or record (check PLANNR_ACCOUNT_UUID)';
    case 404:
      return 'Not found: no record with this id in this account (HTTP 404)';
    case 409:
      return 'Conflict: the record is in a state that does not allow this change (HTTP 409)';
    case 422:
      return 'The API rejected the values (HTTP 422)';
    case 429:
      return 'Too many requests: the API rate limit was exceeded (HTTP 429)';
  }
  if (status >= 500) return `Server error (HTTP ${status}): try again later`;
  if (status >= 300 && status < 400) return `Unexpected redirect (HTTP ${status}): not followed`;
  return `HTTP ${status}`;
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
function describeBody(body: unknown): ApiErrorDescription & { said: boolean } {
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

/**
 * One message and per-field messages from an error response. Understands Laravel's 422 shape
 * (array or bare-string messages), JSON:API error lists (MPDX), and text/HTML bodies; falls back
 * to a message per status when the body says nothing.
 */
export function describeApiError(status: number, body: unknown): ApiErrorDescription {
  const described = describeBody(body);
  if (!described.said) return { message: statusMessage(status), fieldErrors: described.fieldErrors };
  // "Unauthenticated." alone does not tell a person what to fix.
  const message =
    status === 401 && !/token/i.test(described.message) ? `${described.message} (check PLANNR_TOKEN)` : described.message;
  return { message, fieldErrors: described.fieldErrors };
}

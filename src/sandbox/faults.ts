/**
 * Fault injection for the sandbox: the ways real gateways, load balancers and proxies in front
 * of an API misbehave. Each fault is chosen by a seeded PRNG (`…Rate`, a share of the requests
 * it applies to) or by count (`…Next`, the next N of them), so every run is reproducible.
 *
 * "Writes" are POST/PUT requests to /api; "resource reads" are GETs of the records a write
 * makes or changes, never the account list the tool checks its credentials with: a route
 * takes part in the read-error fault by asking `RouteDeps.readFails()` (a Plannr resource
 * says `faultyReads: true`, routes/resource.ts).
 */
import { z } from 'zod';

const rate = z.number().min(0).max(1).optional();
const count = z.number().int().min(0).optional();
const ms = z.number().int().min(0).optional();

export const faultsSchema = z.strictObject({
  /** Share (0..1) of /api requests answered 500 before anything is written. */
  errorRate: rate,
  /** Share of /api requests delayed by slowMs. */
  slowRate: rate,
  slowMs: ms,
  /**
   * Share of /api connections destroyed without a response: half before the request is
   * handled, half after its write is applied (a lost response).
   */
  dropRate: rate,
  /** The next N /api requests get 429 with Retry-After. */
  burst429: count,

  /**
   * Write faults below count from this write on (1 = the next write; 3 = the first two writes
   * pass untouched). Lets a test aim a fault at "the second create" without racing the client.
   */
  writeFaultsFrom: z.number().int().min(1).optional(),
  /** A gateway answers 504 while the backend commits the write gatewayCommitMs later. */
  gatewayTimeoutRate: rate,
  gatewayTimeoutNext: count,
  /** When the write is applied after the 504 (default 3,000 ms). */
  gatewayCommitMs: ms,
  /** How long the gateway waits before it answers 504 (default 0: at once). */
  gatewayAnswerMs: ms,
  /** The write is applied, then the connection is dropped: the answer is lost. */
  lostResponseRate: rate,
  lostResponseNext: count,
  /** A 500 for a write that created and changed nothing. */
  writeErrorRate: rate,
  writeErrorNext: count,
  /** A proxy answers 200 with an HTML page; nothing is written. */
  htmlOkRate: rate,
  htmlOkNext: count,
  /** A proxy answers 204 No Content; nothing is written. */
  noContentRate: rate,
  noContentNext: count,
  /** A 422 whose body echoes the Authorization header raw, JSON-escaped, HTML-entity- and URL-encoded; nothing is written. */
  tokenEchoRate: rate,
  tokenEchoNext: count,
  /**
   * A 422 whose field errors are keyed `constructor`, `__proto__`, `toString` (JSON:API on the
   * MPDX route: `source.pointer` `/data/attributes/constructor`); nothing is written.
   */
  protoFieldsRate: rate,
  protoFieldsNext: count,

  /** A resource read (list or single GET) answers 500. */
  readErrorRate: rate,
  readErrorNext: count,
  /**
   * Lists lag behind writes by this many ms (a read replica): a record created within it is
   * not listed; a record changed within it is listed as it was before the change.
   */
  listLagMs: ms,
  /** The token is revoked: the Nth /api request (counted from when this is set) and every later one get 401. */
  revokeTokenFrom: z.number().int().min(1).optional(),
});

export type Faults = z.infer<typeof faultsSchema>;

/** The names `--faults` takes (kebab-case) and the field each sets. */
export const FAULT_FLAG_NAMES: Readonly<Record<string, keyof Faults>> = {
  errors: 'errorRate',
  slow: 'slowRate',
  'slow-ms': 'slowMs',
  drop: 'dropRate',
  burst429: 'burst429',
  'write-faults-from': 'writeFaultsFrom',
  gateway504: 'gatewayTimeoutRate',
  'gateway504-next': 'gatewayTimeoutNext',
  'gateway-commit-ms': 'gatewayCommitMs',
  'gateway-answer-ms': 'gatewayAnswerMs',
  'lost-response': 'lostResponseRate',
  'lost-response-next': 'lostResponseNext',
  'write-errors': 'writeErrorRate',
  'write-errors-next': 'writeErrorNext',
  'html-ok': 'htmlOkRate',
  'html-ok-next': 'htmlOkNext',
  'no-content': 'noContentRate',
  'no-content-next': 'noContentNext',
  'token-echo': 'tokenEchoRate',
  'token-echo-next': 'tokenEchoNext',
  'proto-fields': 'protoFieldsRate',
  'proto-fields-next': 'protoFieldsNext',
  'read-errors': 'readErrorRate',
  'read-errors-next': 'readErrorNext',
  'list-lag-ms': 'listLagMs',
  'revoke-token-from': 'revokeTokenFrom',
};

/** A write fault's name, in the order they are tried (the first that fires wins). */
export const WRITE_FAULTS = ['gatewayTimeout', 'lostResponse', 'writeError', 'htmlOk', 'noContent', 'tokenEcho', 'protoFields'] as const;
export type WriteFault = (typeof WRITE_FAULTS)[number];

export const DEFAULT_GATEWAY_COMMIT_MS = 3_000;

/**
 * Picks faults for requests: counts down `…Next` budgets, draws `…Rate`s from the seeded PRNG,
 * and counts what it injected (for tests and the chaos figures).
 */
export interface FaultPicker {
  /** The write fault for this write request, if any. */
  forWrite(): WriteFault | undefined;
  /** Whether this resource read answers 500. */
  readError(): boolean;
  /** Whether this /api request meets a revoked token. */
  revoked(): boolean;
  /** Counts an injected fault (also those decided elsewhere, e.g. drops). */
  count(name: string): void;
  /** Faults injected since the sandbox started (or was reset), by name. */
  readonly injected: Readonly<Record<string, number>>;
}

export function createFaultPicker(faults: Faults, random: () => number, injected: Record<string, number>): FaultPicker {
  const left: Record<string, number> = {};
  for (const name of WRITE_FAULTS) left[name] = faults[`${name}Next`] ?? 0;
  left.readError = faults.readErrorNext ?? 0;
  let writesSeen = 0;
  let requestsSeen = 0;
  const count = (name: string): void => {
    injected[name] = (injected[name] ?? 0) + 1;
  };
  const fires = (name: string, share: number | undefined): boolean => {
    if ((left[name] ?? 0) > 0) {
      left[name] = (left[name] ?? 0) - 1;
      return true;
    }
    return (share ?? 0) > 0 && random() < (share ?? 0);
  };
  return {
    forWrite() {
      writesSeen += 1;
      if (writesSeen < (faults.writeFaultsFrom ?? 1)) return undefined;
      const fault = WRITE_FAULTS.find((name) => fires(name, faults[`${name}Rate`]));
      if (fault !== undefined) count(fault);
      return fault;
    },
    readError() {
      const fire = fires('readError', faults.readErrorRate);
      if (fire) count('readError');
      return fire;
    },
    revoked() {
      requestsSeen += 1;
      const fire = faults.revokeTokenFrom !== undefined && requestsSeen >= faults.revokeTokenFrom;
      if (fire) count('revokedToken');
      return fire;
    },
    count,
    injected,
  };
}

export function isWrite(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';
}

const eachChar = (text: string, encode: (code: number) => string): string => [...text].map((ch) => encode(ch.codePointAt(0) ?? 0)).join('');

/** Every way a careless server echoes a header value in an error body. */
export function echoForms(value: string): { raw: string; jsonEscaped: string; htmlEntities: string; urlEncoded: string; percentEveryByte: string } {
  return {
    raw: value,
    // As JSON text: a parser turns it back into the raw value; the raw body text holds it escaped.
    jsonEscaped: eachChar(value, (code) => (code === 0x2f ? '\\/' : `\\u${code.toString(16).padStart(4, '0')}`)),
    // Decimal and hex entities alternating, as template engines mix them.
    htmlEntities: [...value].map((ch, i) => (i % 2 === 0 ? `&#${ch.codePointAt(0)};` : `&#x${(ch.codePointAt(0) ?? 0).toString(16)};`)).join(''),
    urlEncoded: encodeURIComponent(value),
    percentEveryByte: [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  };
}

/**
 * A 422 body (as JSON text, since it holds escapes JSON.stringify would never write) that
 * echoes the Authorization header in every form, in the message, the field errors and a debug
 * block, as a misconfigured framework in debug mode does.
 */
export function tokenEchoBody(authorization: string, jsonApi: boolean): string {
  const forms = echoForms(authorization);
  const quoted = (text: string): string => JSON.stringify(text);
  // Raw JSON-escaped text goes between quotes as it is: it is already valid JSON string content.
  const escaped = `"Authorization: ${forms.jsonEscaped}"`;
  const html = quoted(`<p>Rejected header: Authorization: ${forms.htmlEntities}</p>`);
  const url = quoted(`https://gateway.example/denied?authorization=${forms.urlEncoded}&raw=${forms.percentEveryByte}`);
  const slashed = `"https:\\/\\/gateway.example\\/denied\\/${forms.jsonEscaped}"`;
  if (jsonApi) {
    return `{"errors":[` +
      `{"status":"422","title":"Invalid Attribute","detail":${quoted(`request had Authorization: ${forms.raw}`)},"source":{"pointer":"/data/attributes/number"}},` +
      `{"status":"422","title":"Invalid Attribute","detail":${escaped},"source":{"pointer":"/data/attributes/number"}},` +
      `{"status":"422","title":"Invalid Attribute","detail":${html},"source":{"pointer":"/data/attributes/location"}},` +
      `{"status":"422","title":"Invalid Attribute","detail":${url},"meta":{"link":${slashed}}}` +
      `]}`;
  }
  // The message carries every form (a client shows it): raw; JSON-escaped; HTML entities; URL-encoded twice over.
  const message = `"The request was rejected (Authorization: ${quoted(forms.raw).slice(1, -1)}; echoed: Authorization: ${forms.jsonEscaped}; ` +
    `${quoted(forms.htmlEntities).slice(1, -1)}; ${quoted(forms.urlEncoded).slice(1, -1)}; ${forms.percentEveryByte})."`;
  return `{"message":${message},` +
    `"errors":{"name":[${escaped},${html}],"value":[${url},${slashed}]},` +
    `"debug":{"headers":{"authorization":${quoted(forms.raw)},"authorization_html":${html}},"link":${slashed}}}`;
}

/**
 * A 422 whose field-error keys are the names of Object.prototype members (JSON text: an object
 * literal with `__proto__` would set a prototype, not a key).
 */
export function protoFieldsBody(jsonApi: boolean): string {
  if (jsonApi) {
    const error = (field: string): string =>
      `{"status":"422","title":"Invalid Attribute","detail":"${field} is invalid","source":{"pointer":"/data/attributes/${field}"}}`;
    return `{"errors":[${['constructor', '__proto__', 'toString', 'hasOwnProperty'].map(error).join(',')}]}`;
  }
  return '{"message":"The constructor field is invalid. (and 3 more errors)","errors":{' +
    '"constructor":["The constructor field is invalid."],' +
    '"__proto__":["The proto field is invalid."],' +
    '"toString":["The to string field is invalid."],' +
    '"hasOwnProperty":["The has own property field is invalid."]}}';
}

export const HTML_OK_PAGE =
  '<!DOCTYPE html><html><head><title>Service update</title></head>' +
  '<body><h1>We will be back shortly</h1><p>The service is being updated. Please try again in a few minutes.</p></body></html>';

export const GATEWAY_TIMEOUT_PAGE =
  '<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1></center></body></html>';

/**
 * The read replica behind lagging lists: when each record was created or last changed, and how
 * it looked before its first change inside the lag (what a replica that far behind still holds).
 */
export interface ListLag {
  created(uuid: string, nowMs: number): void;
  /** Before a record is changed: keeps its earlier look unless an older one is still inside the lag. */
  changing(uuid: string, before: object, nowMs: number, lagMs: number): void;
  /** What a lagging list shows for a record: itself, its earlier look, or nothing. */
  view<T>(uuid: string, record: T, nowMs: number, lagMs: number): T | undefined;
  clear(): void;
}

export function createListLag(): ListLag {
  const createdAt = new Map<string, number>();
  const earlier = new Map<string, { lastAt: number; before: object }>();
  return {
    created(uuid, nowMs) {
      createdAt.set(uuid, nowMs);
    },
    changing(uuid, before, nowMs, lagMs) {
      const kept = earlier.get(uuid);
      // Changed again while the replica still lags: it still shows the look before the first change.
      if (kept !== undefined && nowMs - kept.lastAt < lagMs) kept.lastAt = nowMs;
      else earlier.set(uuid, { lastAt: nowMs, before: structuredClone(before) });
    },
    view<T>(uuid: string, record: T, nowMs: number, lagMs: number): T | undefined {
      if (lagMs <= 0) return record;
      const born = createdAt.get(uuid);
      if (born !== undefined && nowMs - born < lagMs) return undefined;
      const kept = earlier.get(uuid);
      if (kept !== undefined && nowMs - kept.lastAt < lagMs) return kept.before as T;
      return record;
    },
    clear() {
      createdAt.clear();
      earlier.clear();
    },
  };
}

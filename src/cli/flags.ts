/**
 * The command line's one flag table. Each group is typed against the library config it fills
 * (`FlagTable<ApiConfigFlags>` has a key for every ApiConfigFlags field), so a field added to a
 * config breaks the build here until it gets a flag or is declared not one (null, with why).
 * A flag's value is its config value: the parsed flags of a group are a partial config, passed
 * to the library as they are, and the library fills in its own defaults. Help text shows those
 * defaults from the DEFAULT_* constants in src/config/defaults.ts; no default is written here.
 */
import { Option } from 'commander';
import { readFile } from 'node:fs/promises';
import type { ApiConfig, ApiConfigFlags } from '../api/config.js';
import { createLogger, type Logger } from '../log.js';
import type { DispatchPoolOptions } from '../api/pool.js';
import {
  DEFAULT_BASE_URL,
  DEFAULT_DEMO_OUT,
  DEFAULT_DEMO_RATE_PER_MINUTE,
  DEFAULT_NORMALISE_OPTIONS,
  DEFAULT_POOL_OPTIONS,
  DEFAULT_READ_BACK_WINDOW_MS,
  DEFAULT_SANDBOX_PORT,
  DEFAULT_TIMEOUT_MS,
} from '../config/defaults.js';
import { entities, entityNames } from '../entities/index.js';
import { UsageError } from '../errors.js';
import type { NormaliseOptions } from '../normalise/result.js';
import type { SandboxOptions } from '../sandbox/server.js';
import type { ExportConfig } from '../pipeline/export.js';
import type { ImportConfig } from '../pipeline/import.js';
import type { PlanConfig } from '../pipeline/plan.js';
import { mappingFileSchema, type MappingOverrides } from '../pipeline/input/mapping.js';
import type { InputConfig } from '../pipeline/input/open-input.js';
import type { ValidateConfig } from '../pipeline/validate.js';
import { DEFAULT_CANARY_ROWS, DEFAULT_FAILURE_WINDOW, DEFAULT_MAX_FAILURE_SHARE } from '../pipeline/send/guard.js';
import { LARGE_RUN_WRITES } from '../pipeline/estimate.js';

/** One flag: how it reads on the command line, how its text becomes the config value, its default as help shows it. */
export interface Flag<Value> {
  /** commander's syntax: '--rate <rate>', '--resume'. */
  readonly flags: string;
  readonly description: string;
  /** Text → value, throwing a UsageError that names the flag. Absent: the text itself (or true for a switch). */
  parse?(text: string, previous: Value | undefined): Value;
  readonly choices?: readonly string[];
  /** The default, as help shows it: "(default: …)". */
  readonly shownDefault?: string;
  readonly required?: true;
  /** A `--no-…` twin that sets the value to false, and what it means. */
  readonly negation?: { readonly flags: string; readonly description: string };
}

/**
 * A flag per config key, or null for a key the command line does not set; a key the config
 * requires needs a required flag. `AsGiven` names keys whose flag gives something the command
 * turns into the config value (a file to read, a path to log to).
 */
export type FlagTable<Config, AsGiven = object> = {
  readonly [Key in keyof Config]-?: object extends Pick<Config, Key>
    ? Flag<ValueAsGiven<Config, AsGiven, Key>> | null
    : Flag<ValueAsGiven<Config, AsGiven, Key>> & { readonly required: true };
};

type ValueAsGiven<Config, AsGiven, Key extends keyof Config> = Key extends keyof AsGiven ? AsGiven[Key] : Exclude<Config[Key], undefined>;

export type AnyTable = Readonly<Record<string, Flag<unknown> | null>>;

/** The parsed values of a table's flags: what the config requires is there (commander enforces it), the rest may be absent. */
export type FlagValues<Config, AsGiven = object> = {
  -readonly [Key in keyof Config as object extends Pick<Config, Key> ? never : Key]: ValueAsGiven<Config, AsGiven, Key>;
} & {
  -readonly [Key in keyof Config as object extends Pick<Config, Key> ? Key : never]?: ValueAsGiven<Config, AsGiven, Key>;
};

// ---- parsers: each names its flag and says what it expected ----

/** '500/min', '500', '10/s', '0' or 'off' (no client-side limit) → requests per minute. */
export function parseRate(text: string): number {
  if (text.trim().toLowerCase() === 'off') return 0;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/i.exec(text);
  if (match === null) throw new UsageError(`--rate "${text}": expected a rate such as 500/min, 10/s, or off`);
  const n = Number(match[1]);
  return /^s/i.test(match[2] ?? 'min') ? n * 60 : n;
}

export function wholeNumber(flag: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(`${flag} "${text}": expected a whole number${max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > 0 ? ` of at least ${min}` : ''}`);
    }
    return n;
  };
}

/** `--max-failures 5%` (or 0.05) → 0.05. */
export function share(flag: string) {
  return (text: string): number => {
    const trimmed = text.trim();
    const isPercent = trimmed.endsWith('%');
    const n = Number(isPercent ? trimmed.slice(0, -1) : trimmed);
    const value = isPercent ? n / 100 : n;
    if (trimmed === '' || trimmed === '%' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new UsageError(`${flag} "${text}": expected a percentage from 0% to 100%, e.g. 5%`);
    }
    return value;
  };
}

/** `--read-back-window 60` (seconds, decimals allowed) → milliseconds. */
export function seconds(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} "${text}": expected a number of seconds, e.g. 60`);
    return Math.round(n * 1000);
  };
}

function countryCode(text: string): string {
  const country = text.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) throw new UsageError(`--default-country "${text}": expected a two-letter country code, e.g. GB`);
  return country;
}

function timeZone(text: string): string {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: text });
  } catch {
    throw new UsageError(`--timezone "${text}": expected an IANA time zone name, e.g. Europe/London`);
  }
  return text;
}

function entityName(text: string): string {
  if (!(entityNames as readonly string[]).includes(text)) throw new UsageError(`--entity "${text}": expected one of ${entityNames.join(', ')}`);
  return text;
}

/** `--filter key=value`, repeatable, into a record. */
export function collectFilter(text: string, previous: Readonly<Record<string, string>> = {}): Record<string, string> {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`--filter "${text}": expected key=value, e.g. --filter status=<uuid> or --filter sort=-updated_at`);
  return { ...previous, [text.slice(0, at).trim()]: text.slice(at + 1).trim() };
}

function list(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

const shown = (value: number | string): string => String(value);

// ---- the groups ----

/** Where the API is and who we are. */
export const apiFlags: FlagTable<ApiConfigFlags> = {
  baseUrl: { flags: '--base-url <url>', description: 'API base URL (env PLANNR_BASE_URL); plain http:// only for loopback hosts', shownDefault: DEFAULT_BASE_URL },
  // Environment only: a flag would show the token in the process list and the shell history.
  token: null,
  accountUuid: { flags: '--account-uuid <uuid>', description: 'account to act as (env PLANNR_ACCOUNT_UUID)' },
  timeoutMs: { flags: '--timeout <ms>', description: 'per-request timeout in milliseconds', parse: wholeNumber('--timeout', { min: 1 }), shownDefault: shown(DEFAULT_TIMEOUT_MS) },
};

type PoolConfig = Omit<DispatchPoolOptions, 'signal' | 'onEvent' | 'onRequest'>;

/** How fast and how hard to send. */
export const poolFlags: FlagTable<PoolConfig> = {
  concurrency: { flags: '--concurrency <n>', description: 'requests in flight at once', parse: wholeNumber('--concurrency', { min: 1 }), shownDefault: shown(DEFAULT_POOL_OPTIONS.concurrency) },
  ratePerMinute: { flags: '--rate <rate>', description: "client-side rate limit, e.g. 500/min, 10/s, off", parse: parseRate, shownDefault: `${DEFAULT_POOL_OPTIONS.ratePerMinute}/min, the API's limit` },
  maxRetries: { flags: '--max-retries <n>', description: 'retries for 5xx, timeouts and network errors', parse: wholeNumber('--max-retries'), shownDefault: shown(DEFAULT_POOL_OPTIONS.maxRetries) },
  // Tuning the API's own behaviour sets (burst, backoff, how long a 429 may be waited): not for users to guess.
  burst: null,
  backoffBaseMs: null,
  backoffMaxMs: null,
  maxRateLimitWaitMs: null,
  lowRemaining: null,
  rateWindowMs: null,
};

/** How values are read: partial, since the library's defaults fill the rest (normaliseFrom). */
export const normaliseFlags: FlagTable<Partial<NormaliseOptions>> = {
  defaultCountry: { flags: '--default-country <code>', description: 'country for phone numbers written without +code', parse: countryCode, shownDefault: DEFAULT_NORMALISE_OPTIONS.defaultCountry },
  timezone: { flags: '--timezone <zone>', description: 'IANA time zone for dates and times without an offset', parse: timeZone, shownDefault: DEFAULT_NORMALISE_OPTIONS.timezone },
  dateOrder: { flags: '--date-order <order>', description: 'how to read 03/04/2025; without it, a date that reads two ways is an error', choices: ['dmy', 'mdy', 'ymd'] },
  // From the workbook's own properties, never from a flag.
  date1904: null,
};

/** The input file: which rows, how it is read. `file` is the command's argument; `mapping` a JSON file the command reads. */
export const inputFlags: FlagTable<Omit<InputConfig, 'file' | 'normalise' | 'onNotice'>, { mapping: string }> = {
  entity: { flags: '--entity <name>', description: `what the rows are: ${entityNames.join(', ')}`, parse: entityName, required: true },
  sheet: { flags: '--sheet <name>', description: 'XLSX sheet to read', shownDefault: 'the first sheet' },
  encoding: { flags: '--encoding <name>', description: 'CSV encoding: utf-8, utf-16le, windows-1252', shownDefault: 'detected' },
  delimiter: { flags: '--delimiter <char>', description: 'CSV delimiter: , ; tab |', shownDefault: 'detected' },
  mapping: { flags: '--mapping <file>', description: 'JSON file: {"Header": "field"}, {"Header": null} to ignore, {"field": {"constant": "value"}}' },
};

/** Row checking on worker threads (validate, and import's --dry-run through it). */
export const checkFlags: FlagTable<Pick<ValidateConfig, 'threads'>> = {
  threads: {
    flags: '--threads <n>',
    description: 'worker threads that check rows (with 1 or more, validate also writes its report on a thread of its own); 0 = everything on one thread',
    parse: wholeNumber('--threads', { max: 999 }),
    shownDefault: 'CPU cores minus one, at least 1, for files over 2 MB once the first 8,192 rows show checking costs at least 4x reading, as phone numbers do; none otherwise',
  },
};

/** What validate does beyond the input and the row checks. */
export const validateFlags: FlagTable<Omit<ValidateConfig, keyof InputConfig | 'threads'>> = {
  report: { flags: '--report <file>', description: 'report workbook to write', shownDefault: '<file>.validation.xlsx beside the input' },
  onProgress: null, // the progress bar
  progressEvery: null,
  onPhase: null, // progress by phase (src/pipeline/progress.ts)
  maxRowsPerSheet: null, // programmatic (tests split small); the CLI keeps the documented 250,000
};

/** What import does beyond the input and the API. `log` is a path the command opens. */
export const importFlags: FlagTable<
  Omit<ImportConfig, keyof InputConfig | 'api' | 'pool' | 'threads'>,
  { log: string; report: string; revert: string | false }
> = {
  dryRun: { flags: '--dry-run', description: 'validate and report only; send nothing (same as validate)' },
  report: { flags: '--report <file>', description: 'report workbook', shownDefault: '<file>.import.xlsx beside the input' },
  journal: { flags: '--journal <file>', description: 'journal of outcomes for --resume', shownDefault: '<file>.journal beside the input' },
  resume: { flags: '--resume', description: 'continue the run in the journal: rows already done are not sent again' },
  overwrite: { flags: '--overwrite', description: 're-import of an export or plan: write records changed in the CRM since then anyway (otherwise they are reported as conflicts)' },
  revert: {
    flags: '--revert <file>',
    description: 'revert workbook: the before-image of every field an update changed, importable as is',
    shownDefault: '<file>.revert.xlsx beside the input',
    negation: { flags: '--no-revert', description: 'write no revert workbook (the journal still keeps the before-image of every update)' },
  },
  readBackWindowMs: {
    flags: '--read-back-window <seconds>',
    description: "after a write whose answer was lost, how long to keep reading the record back before calling the row unknown",
    parse: seconds('--read-back-window'),
    shownDefault: shown(DEFAULT_READ_BACK_WINDOW_MS / 1000),
  },
  log: { flags: '--log <file>', description: 'write JSON logs here (token and personal data redacted)' },
  canary: {
    flags: '--canary <rows>',
    description: 'send this many rows alone first; if more than half of them fail, stop there (resumable) and send nothing more; 0 = no canary',
    parse: wholeNumber('--canary'),
    shownDefault: shown(DEFAULT_CANARY_ROWS),
  },
  maxFailures: {
    flags: '--max-failures <share>',
    description: `after the canary, stop (resumable) when more than this share of ${DEFAULT_FAILURE_WINDOW} rows fail among the last ${DEFAULT_FAILURE_WINDOW} sent (at 5%: a 6th failure); rows failed by the API or of unknown outcome count, invalid rows never do; 100% = never stop`,
    parse: share('--max-failures'),
    shownDefault: `${DEFAULT_MAX_FAILURE_SHARE * 100}%`,
  },
  failureWindow: null, // the error budget's window: DEFAULT_FAILURE_WINDOW rows, for the library
  onEstimate: null, // printed, and asked about on a terminal (--yes)
  onFailures: null, // the progress display
  signal: null, // Ctrl-C (src/cli/stop.ts)
  onProgress: null,
  onStart: null,
  onPhase: null, // progress by phase (src/pipeline/progress.ts)
};

/** `--yes`: the CLI's own question before a large run (src/cli/import.ts), not a library setting. */
export const confirmFlags: FlagTable<{ readonly yes?: boolean }> = {
  yes: { flags: '--yes', description: `go on without asking when a run would make more than ${LARGE_RUN_WRITES.toLocaleString('en-GB')} writes (the question is asked on a terminal only; without one the run goes on)` },
};

/** What plan does beyond the input and the API. Its workbook (`out`) defaults, so the flag is optional. */
export const planFlags: FlagTable<Omit<PlanConfig, keyof InputConfig | 'api' | 'pool' | 'out'> & { readonly out?: string }, { log: string }> = {
  out: { flags: '--report <file>', description: 'plan workbook to write, .xlsx', shownDefault: '<file>.plan.xlsx beside the input' },
  log: { flags: '--log <file>', description: 'write JSON logs here (token and personal data redacted)' },
  signal: null,
  onProgress: null,
};

/** `plannr-bulk sandbox`. `state` is a JSON file the command reads; `faults` a spec it parses. */
export const sandboxFlags: FlagTable<SandboxOptions, { state: string; faults: string }> = {
  port: { flags: '--port <n>', description: 'port to listen on on 127.0.0.1; 0 = any free port', parse: wholeNumber('--port', { max: 65535 }), shownDefault: shown(DEFAULT_SANDBOX_PORT) },
  state: { flags: '--seed <file>', description: 'JSON state to start from (as dumped by GET /__sandbox/state)', shownDefault: 'built-in demo data' },
  ratePerMinute: { flags: '--rate <rate>', description: 'requests per minute per token before 429, e.g. 500/min, 10/s; off = unlimited', parse: parseRate, shownDefault: `${DEFAULT_POOL_OPTIONS.ratePerMinute}/min, as Plannr` },
  faults: { flags: '--faults <spec>', description: 'inject faults, e.g. errors=0.1,drop=0.02,burst429=20,gateway504=0.05,list-lag-ms=20000 (see README: The sandbox)' },
  latencyMs: null, // for benchmarks, through the library
  faultSeed: null,
};

/** `plannr-bulk demo`. */
export const demoFlags: FlagTable<{ readonly out?: string; readonly ratePerMinute?: number }> = {
  out: { flags: '--out <dir>', description: 'folder for reports and journals', shownDefault: DEFAULT_DEMO_OUT },
  ratePerMinute: { flags: '--rate <rate>', description: 'sandbox and client rate limit (Plannr allows 500/min)', parse: parseRate, shownDefault: `${DEFAULT_DEMO_RATE_PER_MINUTE}/min, so the demo is quick` },
};

/** `plannr-bulk template`. */
export const templateFlags: FlagTable<{ readonly out?: string }> = {
  out: { flags: '--out <file>', description: 'file to write, .xlsx or .csv', shownDefault: '<entity>-template.xlsx' },
};

/** The values an entity's export list needs (e.g. MPDX's contact and person), one flag each, from the entities themselves. */
export const scopeFlags: Readonly<Record<string, Flag<string>>> = Object.fromEntries(
  Object.values(entities).flatMap((entity) =>
    (entity.list?.scope ?? []).map((parameter) => [parameter.name, { flags: `--${parameter.name} <id>`, description: `${entity.name}: ${parameter.help}` }] as const),
  ),
);

/** What export does beyond the API. `entity` is the command's argument; scope values have a flag each (scopeFlags). */
export const exportFlags: FlagTable<Omit<ExportConfig, 'entity' | 'api' | 'pool' | 'normalise'>, { log: string }> = {
  out: { flags: '--out <file>', description: 'file to write: .xlsx (with a hidden _meta sheet for re-import) or .csv', required: true },
  filters: {
    flags: '--filter <key=value>',
    description: 'list filter, repeatable: --filter status=<uuid> → filter[status]=<uuid>; sort=-updated_at is passed as is',
    parse: collectFilter,
  },
  include: { flags: '--include <list>', description: 'related data to include, comma-separated', parse: list, shownDefault: 'what the columns need' },
  scope: null, // scopeFlags
  perPage: null, // the API's maximum, always
  log: { flags: '--log <file>', description: 'write JSON logs here (token redacted)' },
  signal: null,
  onProgress: null,
};


// ---- tables → commander, commander → values ----

/** The command line's parsed options, as commander gives them. */
export type ParsedOptions = Readonly<Record<string, unknown>>;

export { optionsOf } from './flag-options.js';

/** A table's values out of commander's parsed options, keyed by config field. */
export function valuesOf<Config, AsGiven>(table: FlagTable<Config, AsGiven>, parsed: ParsedOptions): FlagValues<Config, AsGiven> {
  const values: Record<string, unknown> = {};
  for (const [key, flag] of Object.entries(table as AnyTable)) {
    if (flag === null) continue;
    const value = parsed[new Option(flag.flags).attributeName()];
    if (value !== undefined) values[key] = value;
  }
  // Each value went through its flag's parse (or is commander's text, or true for a switch), and
  // commander refused the command line if a required flag was missing.
  return values as FlagValues<Config, AsGiven>;
}

/** ExportConfig.scope from the scope flags given (`--contact 12 --person 34` → { contact: '12', person: '34' }). */
export function scopeOf(parsed: ParsedOptions): Record<string, string> {
  const scope: Record<string, string> = {};
  for (const [name, flag] of Object.entries(scopeFlags)) {
    const value = parsed[new Option(flag.flags).attributeName()];
    if (typeof value === 'string') scope[name] = value;
  }
  return scope;
}

/** The --mapping file's content. */
export async function readMappingFile(path: string | undefined): Promise<MappingOverrides | undefined> {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--mapping ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--mapping ${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = mappingFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(`--mapping ${path}: expected {"Header": "field" | null, "field": {"constant": "value"}} (${parsed.error.issues[0]?.message ?? 'bad shape'})`);
  }
  return parsed.data;
}

/** The normalise options of a run: the library's defaults, then the flags given. */
export function normaliseFrom(parsed: ParsedOptions): NormaliseOptions {
  return { ...DEFAULT_NORMALISE_OPTIONS, ...valuesOf(normaliseFlags, parsed) };
}

/** What a command that reads a file and talks to the API passes on alike (import, plan). */
export interface SendingRunFlags {
  readonly api: ApiConfig;
  readonly pool: Omit<DispatchPoolOptions, 'signal'>;
  readonly mapping: MappingOverrides | undefined;
  readonly normalise: NormaliseOptions;
  readonly onNotice: (message: string) => void;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

export async function sendingRunFrom(
  parsed: ParsedOptions,
  context: { readonly notice: (message: string) => void; readonly signal: AbortSignal },
  api: ApiConfig,
  logPath: string | undefined,
): Promise<SendingRunFlags> {
  return {
    api,
    pool: valuesOf(poolFlags, parsed),
    mapping: await readMappingFile(valuesOf(inputFlags, parsed).mapping),
    normalise: normaliseFrom(parsed),
    onNotice: context.notice,
    signal: context.signal,
    // The token never reaches a log line.
    log: createLogger(logPath, [api.token]),
  };
}
